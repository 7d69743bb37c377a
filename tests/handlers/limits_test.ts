/** Request limits: body size (413), submissions per minute and streams per run (429). */
import { assert, assertEquals } from "../assert.ts";
import { errorOf, openTestApp, QUICK_CHAIN } from "./test_app.ts";

const submit = (params: unknown) => ({
  method: "POST",
  json: { workflow: "hash-chain", params },
});

Deno.test("a JSON body over the limit is a 413 and stores nothing", async () => {
  using t = openTestApp({ limits: { bodyBytes: 2_000 } });
  const padded = { ...QUICK_CHAIN, note: "x".repeat(3_000) };
  const big = await errorOf(await t.call("/v1/runs", submit(padded)));
  assertEquals([big.status, big.code], [413, "too_large"]);
  assert(big.message.includes("2000 bytes"), big.message);
  assertEquals(t.store.runs.list().length, 0);
  assertEquals((await t.call("/v1/runs", submit(QUICK_CHAIN))).status, 201);
});

Deno.test("run submissions over the per-minute limit are 429s with Retry-After", async () => {
  using t = openTestApp({ limits: { runsPerMinute: 3 } });
  for (let i = 0; i < 3; i++) {
    assertEquals((await t.call("/v1/runs", submit(QUICK_CHAIN))).status, 201);
  }
  const refused = await t.call("/v1/runs", submit(QUICK_CHAIN));
  const retryAfter = Number(refused.headers.get("retry-after"));
  const error = await errorOf(refused);
  assertEquals([error.status, error.code], [429, "rate_limited"]);
  assert(retryAfter >= 1 && retryAfter <= 20, `Retry-After ${retryAfter}`);
  assertEquals(t.store.runs.list().length, 3);
  assertEquals((await t.call("/v1/runs")).status, 200, "reading is not limited");
});

Deno.test("event streams over the per-run limit are 429s until one closes", async () => {
  using t = openTestApp({ limits: { subscribersPerRun: 2 } });
  const { run } = t.engine.submit("hash-chain", QUICK_CHAIN);
  await t.engine.execute(run.id);
  const first = await t.call(`/v1/runs/${run.id}/events`);
  const second = await t.call(`/v1/runs/${run.id}/events`);
  assertEquals([first.status, second.status], [200, 200]);
  const third = await t.call(`/v1/runs/${run.id}/events`);
  assertEquals(third.headers.get("retry-after"), "5");
  assertEquals((await errorOf(third)).code, "too_many_subscribers");
  const other = t.engine.submit("hash-chain", QUICK_CHAIN).run;
  const elsewhere = await t.call(`/v1/runs/${other.id}/events?after=1000`);
  assertEquals(elsewhere.status, 200, "the limit is per run");
  await elsewhere.body?.cancel();
  assert((await first.text()).includes("run.succeeded"), "the first stream ends with the run");
  const again = await t.call(`/v1/runs/${run.id}/events`);
  assertEquals(again.status, 200, "a closed stream frees its place");
  await Promise.all([second.text(), again.text()]);
});
