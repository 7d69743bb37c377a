import fc from "fast-check";
import { assert, assertEquals } from "../assert.ts";
import { createApp } from "../../handlers/mod.ts";

const TOKEN = "fuzz-token";

/** Route templates the API has or will have; `:x` segments get random values. */
const TEMPLATES = [
  "/healthz",
  "/metrics",
  "/openapi.json",
  "/docs",
  "/v1/datasets",
  "/v1/datasets/:x",
  "/v1/datasets/:x/stats",
  "/v1/datasets/:x/filter",
  "/v1/runs",
  "/v1/runs/:x",
  "/v1/runs/:x/cancel",
  "/v1/runs/:x/resume",
  "/v1/runs/:x/events",
  "/v1/runs/:x/artifacts/:x",
  "/v1/schedules",
  "/v1/schedules/:x",
];

const segment = fc.oneof(
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  fc.constantFrom("..", "%2e%2e", "..%2f..%2fetc%2fpasswd", "%00", "-1", "1e308", "9".repeat(40)),
  fc.uuid(),
);

const path = fc.oneof(
  fc.tuple(fc.constantFrom(...TEMPLATES), fc.array(segment, { minLength: 2, maxLength: 2 }))
    .map(([template, [a, b]]) => template.replace(":x", a).replace(":x", b)),
  fc.webPath(),
);

const jsonValue = fc.jsonValue({ maxDepth: 4 });
const body = fc.oneof(
  fc.constant(undefined),
  jsonValue.map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom("{", '{"workflow":', "[1,2", '{"params":{"iterations":1e999}}', "null"),
  fc.record({
    workflow: fc.oneof(fc.string(), fc.integer(), fc.constant("train-evaluate")),
    params: fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 6 }),
  }).map((v) => JSON.stringify(v)),
);

const authorization = fc.oneof(
  fc.constant(`Bearer ${TOKEN}`),
  fc.constant(undefined),
  fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  fc.constant("Bearer "),
  fc.constant(`Bearer ${TOKEN}x`),
);

const request = fc.record({
  method: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"),
  path,
  body,
  authorization,
  contentType: fc.constantFrom(undefined, "application/json", "text/plain", "multipart/form-data"),
  idempotencyKey: fc.option(fc.string({ maxLength: 300 }).filter((s) => /^[\x20-\x7e]*$/.test(s))),
});

Deno.test("random requests never get a 5xx and errors are JSON; healthz answers afterwards", async () => {
  const app = createApp({ token: TOKEN });
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers = new Headers();
      if (r.authorization !== undefined) headers.set("Authorization", r.authorization);
      if (r.contentType !== undefined) headers.set("Content-Type", r.contentType);
      if (r.idempotencyKey !== null) headers.set("Idempotency-Key", r.idempotencyKey);
      const hasBody = r.body !== undefined && r.method !== "GET" && r.method !== "HEAD";
      let url: URL;
      try {
        url = new URL(r.path, "http://127.0.0.1");
      } catch {
        return; // not a request a client could send
      }
      const response = await app.request(url.href, {
        method: r.method,
        headers,
        body: hasBody ? r.body : undefined,
      });
      assert(response.status < 500, `${r.method} ${r.path} -> ${response.status}`);
      if (response.status >= 400 && r.method !== "HEAD") {
        const payload = await response.json();
        assertEquals(typeof payload.error.code, "string");
        assertEquals(typeof payload.error.message, "string");
        assert(!/\bat .*\.ts:\d+/.test(payload.error.message), "no stack traces in errors");
      } else {
        await response.body?.cancel();
      }
    }),
    { numRuns: 2000, seed: 20261123 },
  );
  const health = await app.request("/healthz");
  assertEquals(health.status, 200);
});
