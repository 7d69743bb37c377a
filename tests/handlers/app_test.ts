import { assertEquals } from "../assert.ts";
import { createApp } from "../../handlers/mod.ts";

Deno.test("healthz answers ok without a socket", async () => {
  const response = await createApp().request("/healthz");
  assertEquals(response.status, 200);
  assertEquals((await response.json()).status, "ok");
});

Deno.test("an unknown route is a JSON 404 naming the route", async () => {
  const response = await createApp().request("/nope");
  assertEquals(response.status, 404);
  assertEquals((await response.json()).error.code, "not_found");
});
