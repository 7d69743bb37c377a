/**
 * Runs as graphs: a step starts only once every step it runs after has succeeded, independent
 * steps run at once, a step sees only its ancestors' outputs, and a step that fails for good
 * fails the run and skips what is left (a resume runs it).
 */
import { z } from "zod";
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ValidationError } from "../../core/errors.ts";
import { defineWorkflow, type RunEvent } from "../../workflows/mod.ts";
import { eventsOf, Gate, nextEvent, openTestEngine, withDeadline } from "./test_engine.ts";

const noParams = z.object({});

/** Gates by step id; a step body opens `started` and waits on `release`. */
class Gates {
  readonly started = new Map<string, Gate>();
  readonly release = new Map<string, Gate>();

  constructor(ids: string[]) {
    for (const id of ids) {
      this.started.set(id, new Gate());
      this.release.set(id, new Gate());
    }
  }

  body(id: string, output: (seen: unknown) => unknown = () => id) {
    return async (seen: unknown) => {
      this.started.get(id)!.open();
      await this.release.get(id)!.promise;
      return output(seen);
    };
  }
}

/** `a` -> (`b`, `c`) -> `d`: the diamond. Each step's input is what it can see. */
function diamond(gates: Gates) {
  return defineWorkflow({ name: "diamond", description: "test", params: noParams })
    .step("a", { input: () => null, run: gates.body("a") })
    .step("b", { after: ["a"], input: ({ outputs }) => outputs.a, run: gates.body("b") })
    .step("c", { after: ["a"], input: ({ outputs }) => outputs.a, run: gates.body("c") })
    .step("d", {
      after: ["b", "c"],
      input: ({ outputs }) => outputs,
      run: gates.body("d", (seen) => seen),
    })
    .build();
}

/** The sequence number of the first event of `type` for `stepId`. */
function seqOf(events: RunEvent[], type: string, stepId: string): number {
  const event = events.find((e) => e.type === type && e.stepId === stepId);
  assert(event !== undefined, `no ${type} event for ${stepId}`);
  return event.seq;
}

Deno.test("independent steps run at once, and a step starts only after all it runs after", async () => {
  const gates = new Gates(["a", "b", "c", "d"]);
  using t = openTestEngine([diamond(gates)], { concurrency: 4 });
  const { run } = t.engine.submit("diamond", {});
  const finished = t.engine.execute(run.id);
  gates.release.get("a")!.open();
  // b and c both start while neither may finish: they overlap, or this never completes.
  await withDeadline(
    Promise.all([gates.started.get("b")!.promise, gates.started.get("c")!.promise]),
    30_000,
    "b and c running at once",
  );
  assertEquals(t.store.runs.steps(run.id).map((s) => s.state), [
    "succeeded",
    "running",
    "running",
    "pending",
  ]);
  gates.release.get("b")!.open();
  await nextEvent(t.store, run.id, (e) => e.type === "step.succeeded" && e.stepId === "b");
  // c still runs: d must wait for it.
  assertEquals(t.store.runs.steps(run.id)[3].state, "pending");
  gates.release.get("c")!.open();
  gates.release.get("d")!.open();
  const done = await withDeadline(finished, 30_000, "the run");
  assertEquals(done.state, "succeeded", done.error ?? "");
  const events = t.store.events.list(run.id, 0, 10_000);
  const dStarted = seqOf(events, "step.started", "d");
  assert(dStarted > seqOf(events, "step.succeeded", "b"));
  assert(dStarted > seqOf(events, "step.succeeded", "c"));
  assert(seqOf(events, "step.started", "b") > seqOf(events, "step.succeeded", "a"));
  // d saw its ancestors' outputs, a's through b and c.
  assertEquals(done.output, { a: "a", b: "b", c: "c" });
});

Deno.test("a step sees the outputs of its ancestors only, groups as records by step id", async () => {
  const workflow = defineWorkflow({ name: "sight", description: "test", params: noParams })
    .step("setup", { input: () => null, run: () => Promise.resolve("s") })
    .step("unrelated", { after: [], input: () => null, run: () => Promise.resolve("u") })
    .expand("cell", {
      after: ["setup"],
      steps: (_params) =>
        ["x", "y"].map((name) => ({
          id: `cell/${name}`,
          input: ({ outputs }) => `${outputs.setup}${name}`,
          run: (text: string) => Promise.resolve(text),
        })),
    })
    .step("one", {
      after: ["cell/x"],
      input: ({ outputs }) => outputs,
      run: (seen) => Promise.resolve(seen),
    })
    .step("all", {
      after: ["cell", "one"],
      input: ({ outputs }) => Object.keys(outputs).sort(),
      run: (keys) => Promise.resolve(keys),
    })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("sight", {});
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded", finished.error ?? "");
  const outputs = Object.fromEntries(
    t.store.runs.steps(run.id).map((s) => [s.stepId, s.output]),
  );
  assertEquals(outputs.one, { setup: "s", cell: { "cell/x": "sx" } });
  assertEquals(outputs.all, ["cell", "one", "setup"]);
  assertEquals(t.store.runs.steps(run.id).find((s) => s.stepId === "all")?.after, [
    "cell/x",
    "cell/y",
    "one",
  ]);
});

Deno.test("a failed dependency skips what depends on it, and the run fails; a resume runs them", async () => {
  let failing = true;
  const runs: string[] = [];
  const independentStarted = new Gate();
  const workflow = defineWorkflow({ name: "fails", description: "test", params: noParams })
    .step("first", { input: () => null, run: () => Promise.resolve(runs.push("first")) })
    .step("broken", {
      retry: { maxAttempts: 1 },
      input: () => null,
      run: async () => {
        runs.push("broken");
        await independentStarted.promise;
        if (failing) throw new Error("broken on purpose");
        return "fixed";
      },
    })
    .step("after-broken", { input: () => null, run: () => Promise.resolve(runs.push("after")) })
    .step("independent", {
      after: ["first"],
      input: () => null,
      run: (_input, ctx) =>
        new Promise((resolve, reject) => {
          runs.push("independent");
          if (!failing) return resolve("done");
          independentStarted.open();
          ctx.signal.addEventListener("abort", () => reject(ctx.signal.reason), { once: true });
        }),
    })
    .build();
  using t = openTestEngine([workflow], { concurrency: 4 });
  const { run } = t.engine.submit("fails", {});
  const failed = await withDeadline(t.engine.execute(run.id), 30_000, "the failing run");
  assertEquals(failed.state, "failed");
  assertEquals(failed.error, "broken on purpose");
  const states = () =>
    Object.fromEntries(t.store.runs.steps(run.id).map((s) => [s.stepId, s.state]));
  // The independent step was running: the failure stopped it, and it is skipped too.
  assertEquals(states(), {
    first: "succeeded",
    broken: "failed",
    "after-broken": "skipped",
    independent: "skipped",
  });
  assertEquals(
    eventsOf(t.store, run.id, "step.skipped").map((e) => e.stepId).sort(),
    ["after-broken", "independent"],
  );
  assert(!runs.includes("after"), "a step after the failed one never started");

  failing = false;
  t.engine.resume(run.id);
  const resumed = await withDeadline(t.engine.execute(run.id), 30_000, "the resumed run");
  assertEquals(resumed.state, "succeeded", resumed.error ?? "");
  assertEquals(runs.filter((r) => r === "first").length, 1);
  assert(runs.includes("after"));
});

Deno.test("a declared dependency must be a step or group declared before it", () => {
  const start = () =>
    defineWorkflow({ name: "deps", description: "test", params: noParams })
      .step("a", { input: () => null, run: () => Promise.resolve(1) });
  assertThrows(
    () =>
      start().step("b", {
        // @ts-expect-error: "later" is not declared (yet); the types refuse it too.
        after: ["later"],
        input: () => null,
        run: () => Promise.resolve(2),
      }),
    ValidationError,
    `"later", which is not a step or group declared before it`,
  );
  const grouped = start().expand("cell", {
    steps: () => [{ id: "other/x", input: () => null, run: () => Promise.resolve(0) }],
  }).build();
  assertThrows(() => grouped.stepsFor({}), ValidationError, `"cell/" followed by`);
  const selfish = start().expand("cell", {
    steps: () => [
      { id: "cell/x", after: ["cell/y"], input: () => null, run: () => Promise.resolve(0) },
      { id: "cell/y", input: () => null, run: () => Promise.resolve(0) },
    ],
  }).build();
  assertThrows(() => selfish.stepsFor({}), ValidationError, `runs after "cell/y"`);
});

Deno.test("outputs a step does not run after are not in its input's type", () => {
  // Compile-time checks: `deno check` fails if any of these errors goes away.
  defineWorkflow({ name: "types", description: "test", params: noParams })
    .step("a", { input: () => null, run: () => Promise.resolve({ x: 1 }) })
    .step("root", {
      after: [],
      // @ts-expect-error: a root step has no ancestors.
      input: ({ outputs }) => outputs.a,
      run: () => Promise.resolve(1),
    })
    .step("chained", {
      // The default: after the step declared just before ("root"), whose ancestors are none.
      // @ts-expect-error: "a" is no ancestor of this step.
      input: ({ outputs }) => outputs.a,
      run: () => Promise.resolve(2),
    })
    .step("both", {
      after: ["a", "chained"],
      input: ({ outputs }) => outputs.a.x + outputs.chained + outputs.root,
      run: (n) => Promise.resolve(n),
    });
  assert(true);
});
