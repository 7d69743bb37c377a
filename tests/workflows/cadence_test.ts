/**
 * An override of a run's budget carries the cadences measured in it: `--iterations 100` alone is
 * never refused for a default cadence made for a longer run, in every workflow and from the CLI
 * and HTTP alike; a cadence given explicitly that conflicts is refused naming the flag to pass.
 */
import { assert, assertEquals, assertThrows } from "../assert.ts";
import { ValidationError } from "../../core/errors.ts";
import { parseFlags } from "../../scripts/cli/flags.ts";
import { startParams } from "../../scripts/cli/start.ts";
import { behaviourWorkflow } from "../../workflows/behaviour/mod.ts";
import { parseParams } from "../../workflows/mod.ts";
import { SWEEP_PRESET_NAMES, SWEEP_PRESETS, sweepWorkflow } from "../../workflows/sweep/mod.ts";
import { trainEvaluateWorkflow } from "../../workflows/train_evaluate/mod.ts";

const SPREAD = ["--env", "spread", "--tier", "medium"];

Deno.test("train-evaluate: --iterations alone cuts the checkpoint cadence to it", () => {
  const short = parseFlags(trainEvaluateWorkflow, [...SPREAD, "--iterations", "100"]);
  assertEquals([short.iterations, short.evalEvery, short.checkpointEvery], [100, 0, 100]);
  const long = parseFlags(trainEvaluateWorkflow, [...SPREAD, "--iterations", "50000"]);
  assertEquals([long.evalEvery, long.checkpointEvery], [0, 200]);
  const given = parseFlags(trainEvaluateWorkflow, [
    ...SPREAD,
    "--iterations",
    "100",
    "--checkpoint-every",
    "500",
  ]);
  assertEquals(given.checkpointEvery, 500);
});

Deno.test("a cadence given beyond the budget is refused naming the flag to pass", () => {
  const args = [...SPREAD, "--iterations", "100", "--eval-every", "200"];
  const cli = assertThrows(() => parseFlags(trainEvaluateWorkflow, args), ValidationError);
  assert(
    cli.message.includes(
      "--eval-every: 200 is more than --iterations (100): pass --eval-every " +
        "100 or less",
    ),
    cli.message,
  );
  // Over HTTP the same problem names the body's fields.
  const raw = { env: "spread", tier: "medium", iterations: 100, evalEvery: 200 };
  const http = assertThrows(() => parseParams(trainEvaluateWorkflow, raw), ValidationError);
  assert(http.message.includes("evalEvery: 200 is more than iterations (100): pass evalEvery"));
  assert(!http.message.includes("--"), http.message);

  const sweep = assertThrows(
    () => parseFlags(sweepWorkflow, ["--iterations", "100", "--eval-every", "200"]),
    ValidationError,
  );
  assert(sweep.message.includes("pass --eval-every 100 or less"), sweep.message);
  const behaviour = assertThrows(
    () =>
      parseFlags(behaviourWorkflow, [
        "--env",
        "hopper-3x1",
        "--steps",
        "3000",
        "--snapshot-every",
        "5000",
      ]),
    ValidationError,
  );
  assert(behaviour.message.includes("pass --snapshot-every 2999 or less"), behaviour.message);
});

Deno.test("every sweep preset takes --iterations 100 alone, its cadences following", () => {
  for (const preset of SWEEP_PRESET_NAMES) {
    const plan = parseFlags(sweepWorkflow, ["--preset", preset, "--iterations", "100"]);
    const { iterations, evalEvery } = SWEEP_PRESETS[preset];
    assertEquals(plan.iterations, 100);
    // The learning curves keep their number of points.
    assertEquals(plan.evalEvery, Math.max(1, Math.round((evalEvery * 100) / iterations)), preset);
    assert(plan.checkpointEvery! <= 100, preset);
  }
  const smoke = parseFlags(sweepWorkflow, ["--preset", "smoke", "--iterations", "100"]);
  assertEquals([smoke.evalEvery, smoke.checkpointEvery], [33, 100]);
  // A resolved plan parses to itself (a stored run keeps its plan).
  assertEquals(parseParams(sweepWorkflow, smoke), smoke);
});

Deno.test("behaviour: --steps alone scales the warm-up and snapshots, cuts checkpoints", () => {
  const params = parseFlags(behaviourWorkflow, ["--env", "hopper-3x1", "--steps", "3000"]);
  assertEquals(
    [params.warmupSteps, params.snapshotEvery, params.checkpointEvery],
    [75, 75, 3000],
  );
});

Deno.test("start: --iterations 500 evaluates five times along the way, as the default job does", () => {
  for (const params of startParams(["--iterations", "500", "--backend", "cpu"])) {
    assertEquals([params.iterations, params.evalEvery, params.checkpointEvery], [500, 100, 200]);
  }
  for (const params of startParams(["--iterations", "500", "--eval-every", "0"])) {
    assertEquals(params.evalEvery, 0);
  }
});
