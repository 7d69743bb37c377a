/**
 * Every command ends an error with one line on stderr, no stack trace, exit 2 for what was
 * typed (a flag, a value, a name) and 1 for a failure while running; validation names the flag
 * the user typed.
 */
import { assert, assertEquals } from "../../assert.ts";
import { ValidationError } from "../../../core/errors.ts";
import { errorLine, exitCodeOf } from "../../../scripts/cli/errors.ts";
import { cliProcess } from "../run_cli.ts";

function assertOneLine(stderr: string): void {
  const lines = stderr.trim().split("\n");
  assertEquals(lines.length, 1, stderr);
  assert(lines[0].startsWith("error: "), stderr);
  assert(!/\bat (file|ext):/.test(stderr), `a stack trace: ${stderr}`);
}

Deno.test("CLI errors are one line with exit 2 when the command as typed cannot run", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-cli-errors-" });
  const cases: [string[], string][] = [
    [
      ["run", "train-evaluate", "--env", "spread", "--tier", "medium", "--eval-episodes", "0"],
      "--eval-episodes: ",
    ],
    [["start", "--hidden-size", "0"], "--hidden-size: "],
    [["sweep", "--eval-seeds", "0"], "--eval-seeds: "],
    [
      ["generate", "--env", "spread", "--tier", "medium", "--reference-episodes", "0"],
      "--reference-episodes: ",
    ],
    [["runs", "list", "--bogus"], "'--bogus'"],
    [["runs", "show", "no-such-run"], "no-such-run"],
    [["datasets", "show", "no-such-dataset"], "no-such-dataset"],
    [["datasets", "frobnicate"], "frobnicate"],
    [["frobnicate"], "frobnicate"],
  ];
  for (const [args, named] of cases) {
    const result = await cliProcess(home, ...args);
    assertEquals(result.code, 2, `${args.join(" ")}: ${result.stderr}`);
    assertOneLine(result.stderr);
    assert(result.stderr.includes(named), `${args.join(" ")}: ${result.stderr}`);
    assert(
      !/evalEpisodes|hiddenSize|evalSeeds|referenceEpisodes/.test(result.stderr),
      result.stderr,
    );
  }
  Deno.removeSync(home, { recursive: true });
});

Deno.test("exit codes: 2 for validation and unknown names, 1 for failures while running", () => {
  assertEquals(exitCodeOf(new ValidationError("--iterations: must be positive")), 2);
  assertEquals(exitCodeOf(new Deno.errors.PermissionDenied("no")), 1);
  assertEquals(exitCodeOf(new Error("boom")), 1);
  const line = errorLine(new Error("boom\n    at somewhere"));
  assert(line.startsWith("error: boom") && !line.includes("\n"), line);
});
