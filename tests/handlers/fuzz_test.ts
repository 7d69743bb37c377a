import fc from "fast-check";
import { join } from "node:path";
import { exportDataset } from "../../data/export.ts";
import { listDatasets } from "../../data/store.ts";
import { assert, assertEquals } from "../assert.ts";
import { generateAndStore } from "../../workflows/ingest.ts";
import { FUZZ_SEED, fuzzRuns, mutatedBytes } from "../fuzz.ts";
import { type OpenApiDocument, type Schema, schemaValues } from "./schema_arbitrary.ts";
import { openTestApp, QUICK_CHAIN, type TestApp, TOKEN } from "./test_app.ts";

/** Requests per property: random ones, and ones built from each operation's schemas. */
export const HTTP_FUZZ_CASES = { random: 3000, fromSchemas: 1500 };

/** Route templates of the API; `:run`, `:dataset` and `:x` segments get real or random values. */
const TEMPLATES = [
  "/healthz",
  "/metrics",
  "/openapi.json",
  "/docs",
  "/v1/workflows",
  "/v1/datasets",
  "/v1/datasets/import",
  "/v1/datasets/upload?format=:x",
  "/v1/datasets/upload?format=csv&name=:x",
  "/v1/datasets/generate",
  "/v1/datasets/:dataset",
  "/v1/datasets/:dataset?bins=:x",
  "/v1/datasets/:dataset/filter",
  "/v1/runs",
  "/v1/runs?state=:x&limit=:x",
  "/v1/runs?cursor=:x",
  "/v1/runs/:run",
  "/v1/runs/:run/cancel",
  "/v1/runs/:run/resume",
  "/v1/runs/:run/events",
  "/v1/runs/:run/events?after=:x",
  "/v1/runs/:run/artifacts",
  "/v1/runs/:run/artifacts/:x",
  "/v1/runs/:run/artifacts/chain.bin",
  "/v1/schedules",
  "/v1/schedules/:x",
];

const nasty = fc.constantFrom(
  "..",
  "%2e%2e",
  "..%2f..%2fstate.db",
  "%2Fetc%2Fpasswd",
  "%00",
  "-1",
  "0",
  "1e308",
  "9".repeat(40),
  "NaN",
  "%F0%9F%92%A5",
  "chain.bin%00.txt",
  ".hidden",
);

const segment = fc.oneof(
  fc.string({ maxLength: 12 }).map(encodeURIComponent),
  nasty,
  fc.uuid(),
);

/** Values that can never be valid where a number or a name is expected. */
const wrongValue = fc.oneof(
  fc.constantFrom(1e308, -1, 0.5, -0, 2 ** 53 + 1, "9".repeat(40), null, true, [], {}),
  fc.string({ maxLength: 20 }),
);

const jsonValue = fc.jsonValue({ maxDepth: 4 });

/** Bodies shaped like the API's, with one field wrong, and arbitrary ones. */
function bodies(runId: string, datasetId: string) {
  return fc.oneof(
    fc.constant(undefined),
    jsonValue.map((v) => JSON.stringify(v)),
    fc.string({ maxLength: 200 }),
    fc.constantFrom(
      "{",
      '{"workflow":',
      "[1,2",
      '{"workflow":"hash-chain","params":{"iterations":1e999}}',
      "null",
      '{"workflow":"hash-chain","params":{"iterations":99999999999999999999999}}',
      '{"path":"/etc/passwd"}',
      '{"path":"../../state.db","format":"csv"}',
      '{"filter":"top 101%"}',
      '{"filter":"return >= 1e999"}',
      '{"__proto__":{"workflow":"hash-chain"}}',
    ),
    fc.record({
      workflow: fc.oneof(
        fc.string(),
        fc.integer(),
        fc.constantFrom("hash-chain", "train-evaluate"),
      ),
      params: fc.oneof(
        fc.dictionary(fc.string({ maxLength: 12 }), jsonValue, { maxKeys: 6 }),
        fc.record({ iterations: wrongValue, seed: wrongValue }, { requiredKeys: [] }),
      ),
    }).map((v) => JSON.stringify(v)),
    fc.record({
      env: fc.oneof(fc.constant("spread"), wrongValue),
      tier: fc.oneof(fc.constant("medium"), wrongValue),
      episodes: wrongValue,
    }).map((v) => JSON.stringify(v)),
    fc.record({
      id: fc.oneof(fc.string({ maxLength: 70 }), wrongValue),
      cron: fc.oneof(fc.constantFrom("0 3 * * *", "* * *", "99 99 * * *"), fc.string()),
      timezone: fc.oneof(fc.constantFrom("UTC", "Nowhere/Bad"), wrongValue),
      workflow: fc.oneof(fc.constant("hash-chain"), wrongValue),
      params: fc.oneof(fc.constant({ iterations: 1 }), jsonValue),
    }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
    fc.record({ filter: fc.oneof(fc.string(), wrongValue), name: wrongValue }, {
      requiredKeys: [],
    }).map((v) => JSON.stringify(v)),
    fc.record({
      workflow: fc.constant("hash-chain"),
      params: fc.record({ iterations: fc.integer({ min: 1, max: 3 }) }),
    }).map((v) => JSON.stringify(v)),
    fc.constantFrom(runId, datasetId).map((id) => JSON.stringify({ id, path: `/${id}` })),
  );
}

const authorization = fc.oneof(
  fc.constant(`Bearer ${TOKEN}`),
  fc.constant(`Bearer ${TOKEN}`),
  fc.constant(undefined),
  fc.string({ maxLength: 30 }).filter((s) => /^[\x20-\x7e]*$/.test(s)),
  fc.constant("Bearer "),
  fc.constant(`Bearer ${TOKEN}x`),
);

const printable = (maxLength: number) =>
  fc.string({ maxLength }).filter((s) => /^[\x20-\x7e]*$/.test(s));

Deno.test(`${HTTP_FUZZ_CASES.random} random requests never get a 5xx and errors are JSON; healthz answers afterwards`, async () => {
  using t = openTestApp({ uploadLimitBytes: 4096 });
  const submitted = t.engine.submit("hash-chain", QUICK_CHAIN);
  await t.engine.execute(submitted.run.id);
  const dataset = await generateAndStore(
    { env: "spread", tier: "random", episodes: 2, seed: 0, referenceEpisodes: 1 },
    { home: t.home },
  );
  const path = fc.oneof(
    fc.tuple(fc.constantFrom(...TEMPLATES), fc.array(segment, { minLength: 2, maxLength: 2 }))
      .map(([template, [a, b]]) =>
        template.replace(":run", submitted.run.id).replace(":dataset", dataset.id)
          .replace(":x", a).replace(":x", b)
      ),
    fc.tuple(fc.constantFrom(...TEMPLATES), segment, segment).map(([template, a, b]) =>
      template.replace(":run", a).replace(":dataset", b).replaceAll(":x", a)
    ),
    fc.webPath(),
  );
  const request = fc.record({
    method: fc.constantFrom("GET", "GET", "POST", "POST", "PUT", "PATCH", "DELETE", "HEAD"),
    path,
    body: bodies(submitted.run.id, dataset.id),
    authorization,
    contentType: fc.constantFrom(
      undefined,
      "application/json",
      "application/json",
      "text/plain",
      "multipart/form-data",
      "application/octet-stream",
    ),
    idempotencyKey: fc.option(printable(300)),
    lastEventId: fc.option(fc.oneof(printable(20), fc.nat().map(String))),
  });
  await fc.assert(
    fc.asyncProperty(request, async (r) => {
      const headers = new Headers();
      if (r.authorization !== undefined) headers.set("Authorization", r.authorization);
      if (r.contentType !== undefined) headers.set("Content-Type", r.contentType);
      if (r.idempotencyKey !== null) headers.set("Idempotency-Key", r.idempotencyKey);
      if (r.lastEventId !== null) headers.set("Last-Event-ID", r.lastEventId);
      const hasBody = r.body !== undefined && r.method !== "GET" && r.method !== "HEAD";
      let url: URL;
      try {
        url = new URL(r.path, "http://127.0.0.1");
      } catch {
        return; // not a request a client could send
      }
      const response = await t.app.request(url.href, {
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
    { numRuns: fuzzRuns(HTTP_FUZZ_CASES.random), seed: 20261123 },
  );
  const health = await t.app.request("/healthz");
  assertEquals(health.status, 200);
  const run = await t.call(`/v1/runs/${submitted.run.id}`);
  assertEquals(run.status, 200, "the API still answers");
});

/** What a refused request must leave as it was: runs and their states, schedules, datasets. */
async function storeState(t: TestApp): Promise<string> {
  return JSON.stringify({
    runs: t.store.runs.list({ limit: 1_000_000 }).map((run) => [run.id, run.state]),
    schedules: t.store.schedules.list().map((schedule) => schedule.id),
    datasets: (await listDatasets({ home: t.home })).map((manifest) => manifest.id),
  });
}

/** An operation of the document, with what its requests need. */
interface Operation {
  method: string;
  path: string;
  id: string;
  parameters: { name: string; in: string; required?: boolean; schema: Schema }[];
  body?: { type: string; schema: Schema };
  statuses: Set<number>;
}

function operationsOf(doc: OpenApiDocument): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => {
      const content = (op.requestBody as { content?: Record<string, { schema: Schema }> })
        ?.content ?? {};
      const [type] = Object.keys(content);
      return {
        method: method.toUpperCase(),
        path,
        id: op.operationId as string,
        parameters: (op.parameters ?? []) as Operation["parameters"],
        body: type === undefined ? undefined : { type, schema: content[type].schema ?? {} },
        statuses: new Set(Object.keys(op.responses as object).map(Number)),
      };
    })
  );
}

Deno.test(`${HTTP_FUZZ_CASES.fromSchemas} requests built from each operation's OpenAPI schemas, valid or broken, get a documented status, typed JSON errors and leave the store unchanged when refused`, async () => {
  using t = openTestApp({ limits: { runsPerMinute: 1_000_000 } });
  const submitted = t.engine.submit("hash-chain", QUICK_CHAIN);
  await t.engine.execute(submitted.run.id);
  const dataset = await generateAndStore(
    { env: "spread", tier: "random", episodes: 2, seed: 0, referenceEpisodes: 1 },
    { home: t.home },
  );
  const schedule = await t.call("/v1/schedules", {
    method: "POST",
    json: { id: "nightly", cron: "0 3 * * *", workflow: "hash-chain", params: QUICK_CHAIN },
  });
  assertEquals(schedule.status, 201);
  // Files to upload: the dataset as CSV and Arrow, mutated.
  const files = await Promise.all(["csv", "arrow"].map(async (format) => {
    const path = join(t.home, `upload.${format}`);
    await exportDataset(dataset.id, path, format, { home: t.home });
    return await Deno.readFile(path);
  }));
  const doc = await (await t.call("/openapi.json")).json() as OpenApiDocument;
  const operations = operationsOf(doc);
  const known: Record<string, string[]> = {
    id: [submitted.run.id, dataset.id, "nightly"],
    name: ["chain.bin", "summary.json"],
  };
  const request = (op: Operation) =>
    fc.record({
      broken: fc.boolean(),
      seed: fc.nat(),
    }).chain(({ broken }) => {
      const value = (schema: Schema) => schemaValues(schema, doc, broken);
      const parameters = op.parameters.map((parameter) => {
        const generated = value(parameter.schema).map((v) =>
          typeof v === "string" ? v : JSON.stringify(v) ?? ""
        );
        const real = known[parameter.name];
        const given = parameter.in === "path" && real
          ? fc.oneof({ arbitrary: fc.constantFrom(...real), weight: 3 }, generated)
          : generated;
        return fc.option(given, { freq: parameter.required ? 20 : 3, nil: undefined });
      });
      const body = op.body === undefined
        ? fc.constant(undefined)
        : op.body.type === "application/json"
        ? fc.option(value(op.body.schema).map((v) => JSON.stringify(v)), {
          freq: 12,
          nil: undefined,
        })
        : mutatedBytes(files, 256);
      return fc.tuple(fc.constant(broken), fc.tuple(...parameters), body);
    }).map(([broken, values, body]) => {
      let path = op.path;
      const query = new URLSearchParams();
      const headers = new Headers({ Authorization: `Bearer ${TOKEN}` });
      op.parameters.forEach((parameter, i) => {
        const given = values[i];
        if (parameter.in === "path") {
          path = path.replace(`{${parameter.name}}`, encodeURIComponent(given ?? "x"));
        } else if (given === undefined) return;
        else if (parameter.in === "query") query.set(parameter.name, given);
        else if (parameter.in === "header" && /^[\x20-\x7e]*$/.test(given)) {
          headers.set(parameter.name, given);
        }
      });
      if (op.body !== undefined) headers.set("Content-Type", op.body.type);
      const search = query.size > 0 ? `?${query}` : "";
      return { op, broken, url: `http://127.0.0.1${path}${search}`, headers, body };
    });
  // An upload or a generation starts a dataset worker (hundreds of ms each on this machine):
  // they get one case in about 350 each, the importers' own fuzz tests cover the file bytes.
  const slow = new Set(["uploadDataset", "generateDataset"]);
  const checked = fc.oneof(
    ...operations.map((op) => ({ arbitrary: request(op), weight: slow.has(op.id) ? 1 : 20 })),
  );
  await fc.assert(
    fc.asyncProperty(checked, async ({ op, url, headers, body }) => {
      const before = await storeState(t);
      const response = await t.app.request(url, {
        method: op.method,
        headers,
        body: body as BodyInit | undefined,
      });
      const what = `${op.method} ${url} (${op.id}) -> ${response.status}`;
      assert(response.status < 500, what);
      assert(
        op.statuses.has(response.status) || [413, 429].includes(response.status),
        `${what}: not a documented status (${[...op.statuses].join(", ")})`,
      );
      if (response.status < 400) {
        await response.body?.cancel();
        return;
      }
      const payload = await response.json();
      assertEquals(typeof payload.error.code, "string", what);
      assertEquals(typeof payload.error.message, "string", what);
      assert(!/\bat .*\.ts:\d+/.test(payload.error.message), `${what}: a stack trace`);
      assertEquals(await storeState(t), before, `${what}: a refused request changed the store`);
    }),
    { numRuns: fuzzRuns(HTTP_FUZZ_CASES.fromSchemas), seed: FUZZ_SEED },
  );
  assertEquals((await t.call("/healthz")).status, 200);
});
