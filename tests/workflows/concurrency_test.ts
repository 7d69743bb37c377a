import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import { defineWorkflow } from "../../workflows/mod.ts";
import { Gate, openTestEngine, withDeadline } from "./test_engine.ts";

/** Training runs whose step waits until the test lets it finish. */
function gatedTraining(
  gates: Map<string, Gate>,
  log: string[],
  running: { now: number; max: number },
  started = new Map<string, Gate>(),
) {
  return defineWorkflow({
    name: "train",
    description: "test",
    params: z.object({ name: z.string() }),
  })
    .step("train", {
      concurrency: "cpu",
      input: ({ params }) => params.name,
      run: async (name) => {
        running.now++;
        running.max = Math.max(running.max, running.now);
        log.push(`start ${name}`);
        started.get(name)?.open();
        await gates.get(name)!.promise;
        log.push(`end ${name}`);
        running.now--;
        return name;
      },
    })
    .build();
}

Deno.test("steps of a concurrency key wait for the home's limit; steps without a key do not", async () => {
  const gates = new Map(["a", "b"].map((n) => [n, new Gate()]));
  const log: string[] = [];
  const running = { now: 0, max: 0 };
  const other = defineWorkflow({ name: "other", description: "test", params: z.object({}) })
    .step("quick", { input: () => null, run: () => Promise.resolve(log.push("quick")) })
    .build();
  using t = openTestEngine([gatedTraining(gates, log, running), other], { concurrency: 4 });
  t.store.limits.set("cpu", 1);
  assertEquals(t.engine.limitOf("cpu"), 1);
  const a = t.engine.submit("train", { name: "a" }).run;
  const b = t.engine.submit("train", { name: "b" }).run;
  const quick = t.engine.submit("other", {}).run;
  const stop = new AbortController();
  const work = t.engine.work({ untilIdle: true, signal: stop.signal });
  // `quick` finishes while `a` holds the only training slot; `b` waits.
  assertEquals((await t.engine.execute(quick.id)).state, "succeeded");
  assertEquals(log, ["start a", "quick"]);
  assertEquals(t.store.runs.steps(b.id)[0].state, "pending");
  gates.get("a")!.open();
  gates.get("b")!.open();
  await withDeadline(work, 30_000, "work");
  assertEquals(log, ["start a", "quick", "end a", "start b", "end b"]);
  assertEquals(running.max, 1);
  assertEquals([a, b].map((r) => t.store.runs.get(r.id).state), ["succeeded", "succeeded"]);
});

Deno.test("the cpu key allows one step per core unless the home says otherwise", () => {
  using t = openTestEngine([]);
  assertEquals(t.engine.limitOf("cpu"), navigator.hardwareConcurrency);
  assertEquals(t.engine.limitOf("gpu"), 1);
  t.store.limits.set("cpu", 3);
  assertEquals(t.engine.limitOf("cpu"), 3);
  using overriding = openTestEngine([], { limits: { cpu: 1 } }, t.home, false);
  assertEquals(overriding.engine.limitOf("cpu"), 1);
  assertEquals(t.store.limits.remove("cpu"), true);
  assertEquals(t.engine.limitOf("cpu"), navigator.hardwareConcurrency);
});

Deno.test("a limit of 2 lets two steps of the key run at once", async () => {
  const gates = new Map(["a", "b"].map((n) => [n, new Gate()]));
  const log: string[] = [];
  const running = { now: 0, max: 0 };
  const started = new Map(["a", "b"].map((n) => [n, new Gate()]));
  using t = openTestEngine([gatedTraining(gates, log, running, started)], {
    concurrency: 4,
    limits: { cpu: 2 },
  });
  t.engine.submit("train", { name: "a" });
  t.engine.submit("train", { name: "b" });
  const work = t.engine.work({ untilIdle: true });
  // Both must be running before either is let go: this only completes if both got a slot.
  await withDeadline(
    Promise.all([...started.values()].map((gate) => gate.promise)),
    30_000,
    "two training steps running",
  );
  gates.get("a")!.open();
  gates.get("b")!.open();
  await work;
  assertEquals(running.max, 2);
  assert(log.indexOf("start b") < log.indexOf("end a"), log.join(", "));
});

Deno.test("a key's limit holds across engines sharing a store", async () => {
  const gates = new Map(["a", "b"].map((n) => [n, new Gate()]));
  const log: string[] = [];
  const running = { now: 0, max: 0 };
  const started = new Map([["a", new Gate()]]);
  using first = openTestEngine([gatedTraining(gates, log, running, started)]);
  using second = openTestEngine(first.engine.registry, {}, first.home, false);
  first.store.limits.set("cpu", 1);
  const a = first.engine.submit("train", { name: "a" }).run;
  const b = first.engine.submit("train", { name: "b" }).run;
  const workFirst = first.engine.execute(a.id);
  await started.get("a")!.promise;
  const workSecond = second.engine.execute(b.id);
  // While `a` runs in the first engine, the second one must leave `b` pending (a negative
  // check: look at the store over a few of the second engine's polls).
  for (let i = 0; i < 5; i++) {
    await new Promise((resolve) => setTimeout(resolve, second.engine.pollMs));
    assertEquals(second.store.runs.steps(b.id)[0].state, "pending");
  }
  gates.get("a")!.open();
  gates.get("b")!.open();
  await Promise.all([workFirst, workSecond]);
  assertEquals(running.max, 1);
});
