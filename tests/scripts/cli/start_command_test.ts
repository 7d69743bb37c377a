/**
 * `deno task start`: OMIGA and BC side by side on one built-in dataset, the flags applying to
 * both runs, and one table at the end.
 */
import { assert, assertEquals } from "../../assert.ts";
import { cliProcess } from "../run_cli.ts";
import { START_DEFAULTS, startParams } from "../../../scripts/cli/start.ts";

Deno.test("start: OMIGA and BC, the flags for both, alpha only where an algorithm has one", () => {
  const [omiga, bc] = startParams(["--iterations", "500", "--backend", "cpu"]);
  assertEquals([omiga.algorithm, bc.algorithm], ["omiga", "bc"]);
  for (const params of [omiga, bc]) {
    assertEquals(params.iterations, 500);
    assertEquals(params.backend, "cpu");
    assertEquals([params.env, params.tier], [START_DEFAULTS.env, START_DEFAULTS.tier]);
    assertEquals(params.seed, START_DEFAULTS.seed);
  }
  assertEquals(omiga.alpha, undefined); // the default for spread, chosen by train-evaluate
  assertEquals(bc.alpha, undefined);

  const [local, baseline] = startParams(["--algorithm", "omiga-local", "--alpha", "2"]);
  assertEquals([local.algorithm, local.alpha], ["omiga-local", 2]);
  assertEquals([baseline.algorithm, baseline.alpha], ["bc", undefined]);

  const alone = startParams(["--algorithm", "bc", "--alpha", "2"]);
  assertEquals(alone.map((p) => [p.algorithm, p.alpha]), [["bc", undefined]]);
});

Deno.test("start trains both side by side and ends with behaviour, OMIGA and BC scores", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-start-" });
  const result = await cliProcess(
    home,
    "start",
    "--episodes",
    "4",
    "--iterations",
    "20",
    "--eval-every",
    "0",
    "--eval-episodes",
    "2",
    "--checkpoint-every",
    "10",
    "--backend",
    "cpu",
    "--hidden-size",
    "16",
  );
  const { stdout } = result;
  const { stderr } = result;
  assertEquals(result.code, 0, stderr + stdout);
  // The progress names each run's steps.
  assert(/step\.succeeded omiga train/.test(stdout), stdout);
  assert(/step\.succeeded bc train/.test(stdout), stdout);
  const table = stdout.slice(stdout.lastIndexOf("dataset "));
  assert(table.startsWith(`dataset    ${START_DEFAULTS.env}-${START_DEFAULTS.tier}`), table);
  assert(/^behaviour +-?\d+\.\d\d +-?\d+\.\d$/m.test(table), table);
  // Return +- std, score, iterations/s.
  const row = (name: string) =>
    new RegExp(`^${name} +-?\\d+\\.\\d\\d \\+- \\d+\\.\\d\\d +-?\\d+\\.\\d +\\d+\\.\\d$`, "m");
  assert(row("omiga \\(alpha 0\\.1\\)").test(table), table);
  assert(row("bc").test(table), table);
  // Both runs stored one dataset.
  const datasets = [...Deno.readDirSync(`${home}/datasets`)].filter((e) => !e.name.startsWith("."));
  assertEquals(datasets.length, 1, JSON.stringify(datasets));
});
