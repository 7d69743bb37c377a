/**
 * `run` ends with what the workflow's own command prints, not a JSON dump: train-evaluate with
 * the table `start` ends with, sweep with its main table and report path; the JSON is under
 * `--json`.
 */
import { assert, assertEquals } from "../../assert.ts";
import { describeOutcome } from "../../../scripts/cli/outcome.ts";
import type { RunRecord } from "../../../workflows/mod.ts";
import { cliProcess } from "../run_cli.ts";

const TINY = [
  "--env",
  "spread",
  "--tier",
  "medium",
  "--episodes",
  "4",
  "--iterations",
  "20",
  "--eval-episodes",
  "2",
  "--hidden-size",
  "16",
  "--backend",
  "cpu",
];

Deno.test("run train-evaluate ends with start's table; --json prints the run as JSON", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-run-outcome-" });
  const plain = await cliProcess(home, "run", "train-evaluate", ...TINY);
  assertEquals(plain.code, 0, plain.stderr);
  const end = plain.stdout.slice(plain.stdout.lastIndexOf("succeeded"));
  assert(!end.includes("{"), `no JSON after the run succeeded:\n${end}`);
  assert(/^dataset +spread-medium-4ep-s0 \(4 episodes\)$/m.test(end), end);
  assert(/^behaviour +-?\d+\.\d\d +-?\d+\.\d$/m.test(end), end);
  assert(/^omiga \(alpha 0\.1\) +-?\d+\.\d\d \+- \d+\.\d\d +-?\d+\.\d +\d+\.\d$/m.test(end), end);
  assert(/^parameters and details: .*summary\.txt$/m.test(end), end);
  assert(end.trimEnd().split("\n").length < 20, end);

  const json = await cliProcess(home, "run", "train-evaluate", ...TINY, "--json");
  assertEquals(json.code, 0, json.stderr);
  const run = JSON.parse(json.stdout);
  assertEquals([run.state, run.output.algorithm, run.output.alpha], ["succeeded", "omiga", 0.1]);
  Deno.removeSync(home, { recursive: true });
});

Deno.test("a finished sweep run ends with the main table and the report's path", () => {
  const run = {
    id: "r1",
    workflow: "sweep",
    state: "succeeded",
    params: { preset: "smoke", seeds: 2 },
    output: {
      files: {
        html: "/h/report.html",
        json: "/h/r.json",
        cellsCsv: "/h/c.csv",
        tableCsv: "/h/t.csv",
      },
      cells: 4,
      backend: "cpu",
      table: [
        {
          dataset: "spread-medium",
          algorithm: "omiga",
          mean: 50,
          std: 2,
          seeds: 2,
          behaviourScore: 40,
          best: true,
        },
        {
          dataset: "spread-medium",
          algorithm: "bc",
          mean: 41,
          std: 1,
          seeds: 2,
          behaviourScore: 40,
          best: false,
        },
      ],
    },
  } as unknown as RunRecord;
  const text = describeOutcome(run);
  assert(text.includes("normalised scores at alpha 0.1 (mean +- std over 2 seeds; * best)"), text);
  assert(/^spread-medium +40\.0 +50\.0 \+- 2\.0 \* +41\.0 \+- 1\.0$/m.test(text), text);
  assert(text.includes("report: /h/report.html"), text);
  assert(!text.includes("{"), text);
});
