import { assert, assertEquals } from "../assert.ts";
import { errorOf, openTestApp, parseSse, QUICK_CHAIN } from "./test_app.ts";
import { sweepWorkflow } from "../../workflows/sweep/mod.ts";

const submit = (workflow: string, params: unknown, key?: string) => ({
  method: "POST",
  headers: key === undefined ? new Headers() : new Headers({ "Idempotency-Key": key }),
  json: { workflow, params },
});

Deno.test("submitting a run answers 201 with the queued run and its completed params", async () => {
  using t = openTestApp();
  const response = await t.call("/v1/runs", submit("hash-chain", { iterations: 3 }));
  assertEquals(response.status, 201);
  const run = await response.json();
  assertEquals(run.state, "queued");
  assertEquals(run.workflow, "hash-chain");
  assertEquals(run.params.iterations, 3);
  assertEquals(run.params.seed, 0); // the workflow's default
  assertEquals("requestHash" in run, false);
  assertEquals(t.store.runs.get(run.id).state, "queued");
});

Deno.test("the same idempotency key and body return the same run (200); another body is a 409", async () => {
  using t = openTestApp();
  const first = await t.call("/v1/runs", submit("hash-chain", { iterations: 3 }, "nightly-1"));
  assertEquals(first.status, 201);
  const again = await t.call("/v1/runs", submit("hash-chain", { iterations: 3 }, "nightly-1"));
  assertEquals(again.status, 200);
  assertEquals((await again.json()).id, (await first.json()).id);
  const other = await t.call("/v1/runs", submit("hash-chain", { iterations: 4 }, "nightly-1"));
  const error = await errorOf(other);
  assertEquals([error.status, error.code], [409, "idempotency_conflict"]);
  assert(error.message.includes("nightly-1"));
  assertEquals(t.store.runs.list().length, 1);
});

Deno.test("bad run submissions are 400s naming the field, unknown workflows 404", async () => {
  using t = openTestApp();
  const wrongType = await errorOf(
    await t.call("/v1/runs", submit("hash-chain", { iterations: "many" })),
  );
  assertEquals([wrongType.status, wrongType.code], [400, "invalid_input"]);
  assert(wrongType.message.includes("iterations"), wrongType.message);
  const huge = await errorOf(await t.call("/v1/runs", submit("hash-chain", { iterations: 1e300 })));
  assertEquals(huge.status, 400);
  assert(huge.message.includes("iterations"), huge.message);
  const noWorkflow = await errorOf(await t.call("/v1/runs", { method: "POST", json: {} }));
  assertEquals(noWorkflow.status, 400);
  assert(noWorkflow.message.includes("workflow"), noWorkflow.message);
  const malformed = await errorOf(
    await t.call("/v1/runs", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: '{"workflow": ',
    }),
  );
  assertEquals(malformed.status, 400);
  const unknown = await errorOf(await t.call("/v1/runs", submit("no-such-flow", {})));
  assertEquals([unknown.status, unknown.code], [404, "not_found"]);
  assert(unknown.message.includes("hash-chain"), "lists the known workflows");
  const badKey = await errorOf(await t.call("/v1/runs", submit("hash-chain", {}, "x".repeat(201))));
  assertEquals(badKey.status, 400);
  assert(badKey.message.includes("Idempotency-Key"), badKey.message);
  assertEquals(t.store.runs.list().length, 0);
});

Deno.test("runs are listed newest first, filtered, and paged with a cursor", async () => {
  using t = openTestApp();
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    const response = await t.call("/v1/runs", submit("hash-chain", { iterations: i + 1 }));
    ids.push((await response.json()).id);
  }
  t.engine.cancel(ids[1]);
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor === null ? "" : `&cursor=${cursor}`;
    const page = await (await t.call(`/v1/runs?limit=2${query}`)).json();
    assert(page.runs.length <= 2);
    seen.push(...page.runs.map((run: { id: string }) => run.id));
    cursor = page.nextCursor;
  } while (cursor !== null);
  assertEquals(seen, [...ids].reverse());
  const cancelled = await (await t.call("/v1/runs?state=cancelled")).json();
  assertEquals(cancelled.runs.map((run: { id: string }) => run.id), [ids[1]]);
  const none = await (await t.call("/v1/runs?workflow=other")).json();
  assertEquals(none, { runs: [], nextCursor: null });
  assertEquals((await errorOf(await t.call("/v1/runs?cursor=nonsense"))).status, 400);
  assertEquals((await errorOf(await t.call("/v1/runs?state=sleeping"))).status, 400);
  assertEquals((await errorOf(await t.call("/v1/runs?limit=0"))).status, 400);
});

Deno.test("a run shows its steps; cancel and resume follow the run's state, 409 otherwise", async () => {
  using t = openTestApp();
  const run = await (await t.call("/v1/runs", submit("hash-chain", QUICK_CHAIN))).json();
  const shown = await (await t.call(`/v1/runs/${run.id}`)).json();
  assertEquals(shown.steps.map((s: { stepId: string }) => s.stepId), ["plan", "chain", "report"]);
  assertEquals(shown.steps[1].concurrencyKey, "cpu");
  assertEquals(shown.steps[1].after, ["plan"]);
  const cancelled = await t.call(`/v1/runs/${run.id}/cancel`, { method: "POST" });
  assertEquals((await cancelled.json()).state, "cancelled");
  const twice = await errorOf(await t.call(`/v1/runs/${run.id}/cancel`, { method: "POST" }));
  assertEquals([twice.status, twice.code], [409, "invalid_state"]);
  const resumed = await t.call(`/v1/runs/${run.id}/resume`, { method: "POST" });
  assertEquals((await resumed.json()).state, "queued");
  const notAgain = await errorOf(await t.call(`/v1/runs/${run.id}/resume`, { method: "POST" }));
  assertEquals([notAgain.status, notAgain.code], [409, "invalid_state"]);
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded");
  const missing = await errorOf(await t.call("/v1/runs/no-such-run"));
  assertEquals([missing.status, missing.code], [404, "not_found"]);
});

Deno.test("the event stream replays the whole log, then from Last-Event-ID, and ends with the run", async () => {
  using t = openTestApp();
  const run = await (await t.call("/v1/runs", submit("hash-chain", QUICK_CHAIN))).json();
  await t.engine.execute(run.id);
  const log = t.store.events.list(run.id);
  const response = await t.call(`/v1/runs/${run.id}/events`);
  assertEquals(response.headers.get("content-type"), "text/event-stream");
  const messages = parseSse(await response.text());
  assertEquals(messages.map((m) => Number(m.id)), log.map((e) => e.seq));
  assertEquals(messages.map((m) => m.event), log.map((e) => e.type));
  assertEquals(JSON.parse(messages[3].data), log[3]);
  assertEquals(messages.at(-1)?.event, "run.succeeded");

  const resumed = await t.call(`/v1/runs/${run.id}/events`, { headers: { "Last-Event-ID": "5" } });
  assertEquals(
    parseSse(await resumed.text()).map((m) => Number(m.id)),
    log.slice(5).map((e) => e.seq),
  );
  const viaQuery = await t.call(`/v1/runs/${run.id}/events?after=${log.length - 1}`);
  assertEquals(parseSse(await viaQuery.text()).map((m) => m.event), ["run.succeeded"]);
  const pastTheEnd = await t.call(`/v1/runs/${run.id}/events`, {
    headers: { "Last-Event-ID": String(log.length) },
  });
  assertEquals(parseSse(await pastTheEnd.text()), [], "a reader at the end gets an empty stream");
  const bad = await errorOf(
    await t.call(`/v1/runs/${run.id}/events`, { headers: { "Last-Event-ID": "abc" } }),
  );
  assertEquals(bad.status, 400);
  assertEquals((await errorOf(await t.call("/v1/runs/nope/events"))).status, 404);
});

Deno.test("the event stream follows a live run to its end", async () => {
  using t = openTestApp();
  const run = await (await t.call("/v1/runs", submit("hash-chain", QUICK_CHAIN))).json();
  const response = await t.call(`/v1/runs/${run.id}/events`);
  const [text] = await Promise.all([response.text(), t.engine.execute(run.id)]);
  const messages = parseSse(text);
  assertEquals(messages[0].event, "run.submitted");
  assertEquals(messages.at(-1)?.event, "run.succeeded");
  assertEquals(messages.length, t.store.events.list(run.id).length);
});

Deno.test("the workflow list shows each workflow's parameter schema", async () => {
  using t = openTestApp();
  const { workflows } = await (await t.call("/v1/workflows")).json();
  const chain = workflows.find((w: { name: string }) => w.name === "hash-chain");
  assertEquals(chain.params.properties.iterations.type, "integer");
  assertEquals(chain.steps[1], { id: "chain", group: false, after: ["plan"], concurrency: "cpu" });
  const fan = workflows.find((w: { name: string }) => w.name === "hash-fan");
  assertEquals(fan.steps.map((s: { id: string; group: boolean }) => [s.id, s.group]), [
    ["plan", false],
    ["chain", true],
    ["report", false],
  ]);
});

Deno.test("a run's routes accept the short id prefix that runs list prints", async () => {
  using t = openTestApp();
  const run = await (await t.call("/v1/runs", submit("hash-chain", { iterations: 3 }))).json();
  const short = run.id.slice(0, 8);
  const shown = await t.call(`/v1/runs/${short}`);
  assertEquals([shown.status, (await shown.json()).id], [200, run.id]);
  const cancelled = await t.call(`/v1/runs/${short}/cancel`, { method: "POST" });
  assertEquals((await cancelled.json()).state, "cancelled");
  const artifacts = await t.call(`/v1/runs/${short}/artifacts`);
  assertEquals(artifacts.status, 200);
  const tooShort = await errorOf(await t.call(`/v1/runs/${run.id.slice(0, 3)}`));
  assertEquals(tooShort.status, 404);
});

Deno.test("POST /v1/runs: iterations alone carries the cadences; a conflicting one names the field", async () => {
  using t = openTestApp();
  const sweep = await t.call("/v1/runs", submit("sweep", { preset: "smoke", iterations: 100 }));
  assertEquals(sweep.status, 201);
  const { params } = await sweep.json();
  assertEquals([params.iterations, params.evalEvery, params.checkpointEvery], [100, 33, 100]);
  const conflict = await errorOf(
    await t.call(
      "/v1/runs",
      submit("train-evaluate", { env: "spread", tier: "medium", iterations: 100, evalEvery: 200 }),
    ),
  );
  assertEquals([conflict.status, conflict.code], [400, "invalid_input"]);
  assert(
    conflict.message.includes("evalEvery: 200 is more than iterations (100): pass evalEvery 100"),
    conflict.message,
  );
});

Deno.test("a sweep naming MuJoCo tiers no behaviour run stored is refused with 404, queuing nothing", async () => {
  using t = openTestApp({ workflows: [sweepWorkflow] });
  const params = { preset: "smoke", datasets: ["hopper-3x1-medium", "spread-medium"] };
  const refused = await errorOf(await t.call("/v1/runs", submit("sweep", params)));
  assertEquals([refused.status, refused.code], [404, "not_found"]);
  assert(refused.message.includes("no stored dataset hopper-3x1-medium:"), refused.message);
  assert(refused.message.includes("run behaviour --env hopper-3x1"), refused.message);
  assertEquals(t.store.runs.list().length, 0);
});
