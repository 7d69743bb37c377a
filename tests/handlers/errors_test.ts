import { Hono } from "hono";
import { assertEquals } from "../assert.ts";
import { OmigaError } from "../../core/errors.ts";
import { handleError } from "../../handlers/errors/mod.ts";
import { NotFoundError } from "../../workflows/mod.ts";

/** An app whose one route throws `error`, answered by the project's error handler. */
function throwing(error: Error) {
  return new Hono().get("/x", () => {
    throw error;
  }).onError(handleError);
}

Deno.test("errors map by kind: the client's to 4xx, ours (any code not listed) to 500", async () => {
  const cases: [Error, number, string][] = [
    [new OmigaError("invalid_input", "bad"), 400, "invalid_input"],
    [new NotFoundError("no run"), 404, "not_found"],
    [new OmigaError("rate_limited", "slow down"), 429, "rate_limited"],
    [new OmigaError("disk_full", "no space left on the device holding /x"), 507, "disk_full"],
    [
      new OmigaError("invalid_checkpoint", "the stored checkpoint is torn"),
      500,
      "invalid_checkpoint",
    ],
    [new OmigaError("some_new_code", "ours"), 500, "some_new_code"],
    [new TypeError("x is undefined"), 500, "internal"],
  ];
  const logged = console.error;
  console.error = () => {}; // the 500s are logged; keep the test output clean
  try {
    for (const [error, status, code] of cases) {
      const response = await throwing(error).request("/x");
      const body = await response.json();
      assertEquals([response.status, body.error.code], [status, code], error.message);
    }
  } finally {
    console.error = logged;
  }
  console.error = () => {};
  try {
    const hidden = await (await throwing(new TypeError("secret detail")).request("/x")).json();
    assertEquals(hidden.error.message.includes("secret"), false, "an untyped error says nothing");
  } finally {
    console.error = logged;
  }
});
