import { assert, assertEquals } from "../assert.ts";
import { createApp } from "../../handlers/mod.ts";
import { openTestApp } from "./test_app.ts";

const TOKEN = "test-token-123";
const auth = { Authorization: `Bearer ${TOKEN}` };

Deno.test("healthz answers ok without a socket and without a token", async () => {
  const response = await createApp({ token: TOKEN }).request("/healthz");
  assertEquals(response.status, 200);
  assertEquals((await response.json()).status, "ok");
});

Deno.test("an unknown route is a JSON 404 naming the route", async () => {
  const response = await createApp({ token: TOKEN }).request("/nope", { headers: auth });
  assertEquals(response.status, 404);
  const body = await response.json();
  assertEquals(body.error.code, "not_found");
  assert(body.error.message.includes("/nope"));
});

Deno.test("routes other than healthz need the bearer token", async () => {
  const app = createApp({ token: TOKEN });
  const missing = await app.request("/openapi.json");
  assertEquals(missing.status, 401);
  assertEquals((await missing.json()).error.code, "unauthorized");
  const wrong = await app.request("/openapi.json", { headers: { Authorization: "Bearer nope" } });
  assertEquals(wrong.status, 401);
  const right = await app.request("/openapi.json", { headers: auth });
  assertEquals(right.status, 200);
});

Deno.test("the OpenAPI 3.1 document lists healthz", async () => {
  const response = await createApp().request("/openapi.json");
  const document = await response.json();
  assertEquals(document.openapi, "3.1.0");
  assert("/healthz" in document.paths);
});

Deno.test("metrics count HTTP requests in Prometheus text", async () => {
  const app = createApp();
  await app.request("/healthz");
  const text = await (await app.request("/metrics")).text();
  assert(/omiga_http_requests_total\{[^}]*\} 1/.test(text), text);
});

Deno.test("the v1 routes need the token and appear in the OpenAPI document", async () => {
  using t = openTestApp();
  const anonymous = await t.app.request("/v1/runs");
  assertEquals(anonymous.status, 401);
  assertEquals((await anonymous.json()).error.code, "unauthorized");
  const document = await (await t.call("/openapi.json")).json();
  for (
    const path of [
      "/v1/runs",
      "/v1/runs/{id}",
      "/v1/runs/{id}/events",
      "/v1/runs/{id}/artifacts/{name}",
      "/v1/datasets/upload",
      "/v1/schedules/{id}",
      "/v1/workflows",
    ]
  ) assert(path in document.paths, path);
  const submit = document.paths["/v1/runs"].post;
  assert(submit.parameters.some((p: { name: string }) => p.name === "Idempotency-Key"));
  assertEquals(submit.security, [{ bearer: [] }]);
  assert("409" in submit.responses && "201" in submit.responses);
  const alternatives = document.components.schemas.RunSubmission.oneOf;
  const trainEvaluate = alternatives.find((a: { title: string }) => a.title === "train-evaluate");
  assertEquals(trainEvaluate.properties.params.properties.iterations.type, "integer");
});

Deno.test("a malformed or wrong Authorization header is a JSON 401 with a Bearer challenge", async () => {
  const app = createApp({ token: TOKEN });
  for (const header of ["Basic abc", "Bearer", `Bearer ${TOKEN} extra`, `bearer ${TOKEN}x`]) {
    const response = await app.request("/metrics", { headers: { Authorization: header } });
    assertEquals(response.status, 401, header);
    assertEquals(response.headers.get("WWW-Authenticate"), 'Bearer realm="omiga-flow"');
    assertEquals((await response.json()).error.code, "unauthorized");
  }
  const lowerCase = await app.request("/metrics", {
    headers: { Authorization: `bearer ${TOKEN}` },
  });
  assertEquals(lowerCase.status, 200, "the scheme is case-insensitive");
  await lowerCase.body?.cancel();
});
