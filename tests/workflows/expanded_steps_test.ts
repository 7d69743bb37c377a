/**
 * Steps derived from a run's parameters (`WorkflowBuilder.expand`): ids fixed at submission,
 * checked like declared ones, and the engine's guarantees (memoised outputs across a stop and
 * a resume, cancellation) hold for them.
 */
import { z } from "zod";
import { assertEquals, assertThrows } from "../assert.ts";
import { ValidationError } from "../../core/errors.ts";
import { defineWorkflow } from "../../workflows/mod.ts";
import { eventsOf, Gate, nextEvent, openTestEngine, withDeadline } from "./test_engine.ts";

const params = z.object({ cells: z.array(z.string()).min(1) });

/** A promise that rejects with the signal's reason once it aborts. */
const aborted = (signal: AbortSignal) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => reject(signal.reason), { once: true })
  );

function cellsWorkflow(
  onCell: (name: string, signal: AbortSignal) => Promise<void> = () => Promise.resolve(),
) {
  return defineWorkflow({ name: "cells", description: "test", params })
    .step("plan", { input: ({ params }) => params.cells.length, run: (n) => Promise.resolve(n) })
    .expand("cell", {
      // One cell after another (each after the one before), as a sequential sweep ran.
      steps: (p) =>
        p.cells.map((name, i) => ({
          id: `cell/${name}`,
          after: i === 0 ? ["plan"] : [`cell/${p.cells[i - 1]}`],
          concurrency: "cpu",
          input: () => name,
          run: async (cell: string, ctx: { signal: AbortSignal }) => {
            await onCell(cell, ctx.signal);
            return `${cell}!`;
          },
        })),
    })
    .step("gather", {
      after: ["plan", "cell"],
      input: ({ params, outputs }) => ({
        planned: outputs.plan,
        cells: params.cells.map((name) => outputs.cell[`cell/${name}`]),
      }),
      run: (input) => Promise.resolve(input),
    })
    .build();
}

Deno.test("expanded steps get deterministic ids from the parameters, in order", () => {
  const workflow = cellsWorkflow();
  assertEquals(workflow.stepsFor({ cells: ["a", "b.1"] }).map((s) => s.id), [
    "plan",
    "cell/a",
    "cell/b.1",
    "gather",
  ]);
  assertEquals(workflow.stepsFor({ cells: ["a"] }).map((s) => s.concurrency), [
    undefined,
    "cpu",
    undefined,
  ]);
  assertEquals(workflow.stepsFor({ cells: ["a", "b"] }).map((s) => s.after), [
    [],
    ["plan"],
    ["cell/a"],
    ["plan", "cell/a", "cell/b"],
  ]);
});

Deno.test("an expanded step id that is malformed or repeated is rejected at submission", () => {
  using t = openTestEngine([cellsWorkflow()]);
  assertThrows(() => t.engine.submit("cells", { cells: ["Bad Id"] }), ValidationError, "Bad Id");
  assertThrows(() => t.engine.submit("cells", { cells: ["../x"] }), ValidationError, "../x");
  assertThrows(() => t.engine.submit("cells", { cells: ["a", "a"] }), ValidationError, "twice");
  assertEquals(t.store.runs.list().length, 0);
});

Deno.test("a stopped run resumed later does not run its finished expanded steps again", async () => {
  const runs = new Map<string, number>();
  const reachedC = new Gate();
  let blockC = true;
  const workflow = cellsWorkflow(async (cell, signal) => {
    runs.set(cell, (runs.get(cell) ?? 0) + 1);
    if (cell === "c" && blockC) {
      reachedC.open();
      await aborted(signal);
    }
  });
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("cells", { cells: ["a", "b", "c", "d"] });
  const stop = new AbortController();
  const working = t.engine.work({ runId: run.id, untilIdle: true, signal: stop.signal });
  await withDeadline(reachedC.promise, 30_000, "cell c to start");
  stop.abort(); // the process stops while cell c runs: c is given back, a and b stay done
  await working;
  const states = Object.fromEntries(t.store.runs.steps(run.id).map((s) => [s.stepId, s.state]));
  assertEquals(states["cell/a"], "succeeded");
  assertEquals(states["cell/b"], "succeeded");
  assertEquals(states["cell/c"], "pending");

  blockC = false;
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded", finished.error ?? "");
  assertEquals(Object.fromEntries(runs), { a: 1, b: 1, c: 2, d: 1 });
  const started = eventsOf(t.store, run.id, "step.started").map((e) => e.stepId);
  assertEquals(started.filter((id) => id === "cell/a").length, 1);
  assertEquals(finished.output, { planned: 4, cells: ["a!", "b!", "c!", "d!"] });
});

Deno.test("cancelling a run stops its running expanded step and runs no later one", async () => {
  const reachedB = new Gate();
  const started: string[] = [];
  const workflow = cellsWorkflow(async (cell, signal) => {
    started.push(cell);
    if (cell === "b") {
      reachedB.open();
      await aborted(signal);
    }
  });
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("cells", { cells: ["a", "b", "c"] });
  const done = t.engine.execute(run.id);
  await withDeadline(reachedB.promise, 30_000, "cell b to start");
  t.engine.cancel(run.id);
  const finished = await done;
  assertEquals(finished.state, "cancelled");
  await nextEvent(t.store, run.id, (e) => e.type === "step.cancelled" && e.stepId === "cell/b");
  assertEquals(started, ["a", "b"]);
  const states = Object.fromEntries(t.store.runs.steps(run.id).map((s) => [s.stepId, s.state]));
  assertEquals([states["cell/a"], states["cell/b"], states["cell/c"]], [
    "succeeded",
    "cancelled",
    "cancelled",
  ]);
});
