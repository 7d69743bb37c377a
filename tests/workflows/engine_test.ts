import { z } from "zod";
import { assert, assertEquals, assertRejects } from "../assert.ts";
import { ValidationError } from "../../core/errors.ts";
import {
  backoffDelayMs,
  defineWorkflow,
  IdempotencyConflictError,
  NonRetriableError,
  runArtifactsDir,
  RunStateError,
} from "../../workflows/mod.ts";
import { eventsOf, openTestEngine } from "./test_engine.ts";

const params = z.object({ word: z.string().min(1), times: z.number().int().min(1).default(2) });

Deno.test("a finished step is not run again when a failed run is resumed", async () => {
  let composed = 0;
  let shouted = 0;
  const workflow = defineWorkflow({ name: "echo", description: "test", params })
    .step("compose", {
      input: ({ params }) => params,
      run: (p) => {
        composed++;
        return Promise.resolve(p.word.repeat(p.times));
      },
    })
    .step("shout", {
      input: ({ outputs }) => outputs.compose,
      run: (text) => {
        shouted++;
        if (shouted === 1) throw new NonRetriableError("the loudspeaker is unplugged");
        return Promise.resolve(text.toUpperCase());
      },
    })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("echo", { word: "ab" });
  const failed = await t.engine.execute(run.id);
  assertEquals(failed.state, "failed");
  assertEquals(failed.error, "the loudspeaker is unplugged");
  t.engine.resume(run.id);
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded");
  assertEquals(finished.output, "ABAB");
  assertEquals(composed, 1);
  assertEquals(shouted, 2);
  assertEquals(t.store.runs.steps(run.id).map((s) => s.output), ["abab", "ABAB"]);
});

Deno.test("resubmitting with the same key returns the finished run without running it", async () => {
  let calls = 0;
  const workflow = defineWorkflow({ name: "once", description: "test", params })
    .step("count", {
      input: ({ params }) => params.word,
      run: (word) => Promise.resolve(`${word}:${++calls}`),
    })
    .build();
  using t = openTestEngine([workflow]);
  const first = t.engine.submit("once", { word: "x" }, { idempotencyKey: "k1" });
  assert(first.created);
  await t.engine.execute(first.run.id);
  const again = t.engine.submit("once", { word: "x", times: 2 }, { idempotencyKey: "k1" });
  assertEquals(again.created, false);
  assertEquals(again.run.id, first.run.id);
  assertEquals((await t.engine.execute(again.run.id)).output, "x:1");
  assertEquals(calls, 1);
});

Deno.test("the same idempotency key with different parameters is a conflict", () => {
  const workflow = defineWorkflow({ name: "once", description: "test", params })
    .step("noop", { input: () => null, run: () => Promise.resolve(null) })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("once", { word: "x" }, { idempotencyKey: "k" });
  const error = assertThrowsSync(
    () => t.engine.submit("once", { word: "y" }, { idempotencyKey: "k" }),
    IdempotencyConflictError,
  );
  assertEquals(error.runId, run.id);
  assertEquals(t.store.runs.list().length, 1);
});

function assertThrowsSync<E extends Error>(
  fn: () => unknown,
  errorClass: abstract new (...args: never[]) => E,
): E {
  try {
    fn();
  } catch (error) {
    assert(error instanceof errorClass, `expected ${errorClass.name}, got ${error}`);
    return error;
  }
  throw new Error(`expected ${errorClass.name}`);
}

Deno.test("parameters are validated by the workflow's schema and errors name the field", () => {
  const workflow = defineWorkflow({ name: "strict", description: "test", params })
    .step("noop", { input: () => null, run: () => Promise.resolve(null) })
    .build();
  using t = openTestEngine([workflow]);
  const error = assertThrowsSync(() => t.engine.submit("strict", { word: "" }), ValidationError);
  assert(error.message.includes("word"), error.message);
  assertEquals(t.store.runs.list().length, 0);
});

Deno.test("a step that fails twice with a retriable error then succeeds records three attempts", async () => {
  let tries = 0;
  const retry = { maxAttempts: 4, baseDelayMs: 20, maxDelayMs: 1_000, factor: 2 };
  const workflow = defineWorkflow({ name: "flaky", description: "test", params })
    .step("fetch", {
      retry,
      input: ({ params }) => params.word,
      run: (word, ctx) => {
        tries++;
        if (ctx.attempt < 3) throw new Error(`the device was busy (try ${ctx.attempt})`);
        return Promise.resolve({ word, attempt: ctx.attempt });
      },
    })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("flaky", { word: "w" });
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "succeeded");
  assertEquals(finished.output, { word: "w", attempt: 3 });
  assertEquals(tries, 3);
  assertEquals(t.store.runs.steps(run.id)[0].attempt, 3);
  const retries = eventsOf(t.store, run.id, "step.retrying");
  assertEquals(retries.map((e) => (e.payload as { attempt: number }).attempt), [1, 2]);
  assertEquals(
    retries.map((e) => (e.payload as { message: string }).message),
    ["the device was busy (try 1)", "the device was busy (try 2)"],
  );
  // Exponential, jittered into [50%, 100%) of 20 ms then 40 ms, and reproducible.
  const delays = retries.map((e) => (e.payload as { delayMs: number }).delayMs);
  assertEquals(delays, [1, 2].map((a) => backoffDelayMs(retry, a, `${run.id}/fetch`)));
  assert(delays[0] >= 10 && delays[0] < 20 && delays[1] >= 20 && delays[1] < 40, `${delays}`);
  assertEquals(eventsOf(t.store, run.id, "step.started").length, 3);
});

Deno.test("backoff grows exponentially up to its cap, with seeded jitter", () => {
  const policy = { maxAttempts: 10, baseDelayMs: 100, maxDelayMs: 1_000, factor: 2 };
  for (let attempt = 1; attempt <= 8; attempt++) {
    const delay = backoffDelayMs(policy, attempt, "run/step");
    const capped = Math.min(1_000, 100 * 2 ** (attempt - 1));
    assert(delay >= capped / 2 && delay <= capped, `attempt ${attempt}: ${delay}`);
    assertEquals(delay, backoffDelayMs(policy, attempt, "run/step"));
  }
  const spread = new Set(
    Array.from({ length: 20 }, (_, i) => backoffDelayMs(policy, 3, `run-${i}/step`)),
  );
  assert(spread.size > 10, `jitter should differ between runs, got ${[...spread]}`);
});

Deno.test("a non-retriable error fails the run at once with its message", async () => {
  for (
    const error of [
      new NonRetriableError('dataset "d" has no rows'),
      new ValidationError("iterations must be > 0"),
    ]
  ) {
    let tries = 0;
    const workflow = defineWorkflow({ name: "bad-input", description: "test", params })
      .step("load", {
        retry: { maxAttempts: 5, baseDelayMs: 1 },
        input: () => null,
        run: () => {
          tries++;
          return Promise.reject(error);
        },
      })
      .step("never", { input: () => null, run: () => Promise.resolve("unreachable") })
      .build();
    using t = openTestEngine([workflow]);
    const { run } = t.engine.submit("bad-input", { word: "w" });
    const failed = await t.engine.execute(run.id);
    assertEquals(failed.state, "failed");
    assertEquals(failed.error, error.message);
    assertEquals(failed.errorCode, error.code);
    assertEquals(tries, 1);
    assertEquals(t.store.runs.steps(run.id).map((s) => s.state), ["failed", "skipped"]);
  }
});

Deno.test("a step that keeps failing fails the run after its last attempt", async () => {
  const workflow = defineWorkflow({ name: "broken", description: "test", params })
    .step("load", {
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      input: () => null,
      run: (_input, ctx) => Promise.reject(new Error(`disk error on attempt ${ctx.attempt}`)),
    })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("broken", { word: "w" });
  const failed = await t.engine.execute(run.id);
  assertEquals(failed.state, "failed");
  assertEquals(failed.error, "disk error on attempt 2");
  assertEquals(t.store.runs.steps(run.id)[0].attempt, 2);
});

Deno.test("only failed or cancelled runs can be resumed", async () => {
  const workflow = defineWorkflow({ name: "ok", description: "test", params })
    .step("noop", { input: () => null, run: () => Promise.resolve(null) })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("ok", { word: "w" });
  await t.engine.execute(run.id);
  await assertRejects(
    () => Promise.resolve().then(() => t.engine.resume(run.id)),
    RunStateError,
    "succeeded",
  );
});

Deno.test("a step writes files into its run's artifact folder", async () => {
  const workflow = defineWorkflow({ name: "write", description: "test", params })
    .step("save", {
      input: ({ params }) => params.word,
      run: async (word, ctx) => {
        await Deno.writeTextFile(`${ctx.artifactsDir}/word.txt`, word);
        return "word.txt";
      },
    })
    .build();
  using t = openTestEngine([workflow]);
  const { run } = t.engine.submit("write", { word: "policy" });
  await t.engine.execute(run.id);
  assertEquals(Deno.readTextFileSync(`${runArtifactsDir(t.home, run.id)}/word.txt`), "policy");
});

Deno.test("a step whose input cannot be computed fails at once, naming the step", async () => {
  let calls = 0;
  const workflow = defineWorkflow({ name: "miswired", description: "test", params })
    .step("first", { input: () => null, run: () => Promise.resolve(null) })
    .step("second", {
      input: ({ outputs }) => (outputs.first as unknown as { size: number }).size,
      run: () => Promise.resolve(++calls),
    })
    .build();
  using t = openTestEngine([workflow]);
  const failed = await t.engine.execute(t.engine.submit("miswired", { word: "w" }).run.id);
  assertEquals(failed.state, "failed");
  assert(failed.error?.startsWith('cannot compute the input of step "second"'), failed.error!);
  assertEquals(calls, 0);
  assertEquals(t.store.runs.steps(failed.id)[1].attempt, 1);
});
