/**
 * `omiga sweep`, run as a user runs it: a preset with overrides, a line per finished cell, the
 * main table, and the path of the report it wrote.
 */
import { assert, assertEquals } from "../../assert.ts";
import { cliProcess } from "../run_cli.ts";

Deno.test("sweep runs a preset with overrides and prints the table and the report's path", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-sweep-cli-" });
  const result = await cliProcess(
    home,
    "sweep",
    "--preset",
    "smoke",
    "--datasets",
    "spread-medium",
    "--algorithms",
    "omiga, bc",
    "--alphas",
    "10",
    "--seeds",
    "1",
    "--episodes",
    "6",
    "--iterations",
    "10",
    "--eval-every",
    "10",
    "--eval-episodes",
    "1",
    "--hidden-size",
    "8",
    "--batch-size",
    "8",
    "--backend",
    "cpu",
  );
  const { stdout } = result;
  assertEquals(result.code, 0, result.stderr);
  assert(stdout.includes("= 2 cells"), stdout);
  // The two cells run side by side: either may finish first.
  const finished = [...stdout.matchAll(/^\[(\d)\/2\] (\S+): score/gm)].map((m) => [m[1], m[2]]);
  assertEquals(finished.map(([n]) => n), ["1", "2"]);
  assertEquals(finished.map(([, id]) => id).sort(), [
    "cell/spread-medium/bc/s0",
    "cell/spread-medium/omiga/a10/s0",
  ]);
  assert(/^dataset\s+behaviour\s+omiga\s+bc$/m.test(stdout), stdout);
  assert(/^spread-medium\s+-?\d+\.\d\s+/m.test(stdout), stdout);
  const html = /^report: (\S+report\.html)$/m.exec(stdout)?.[1];
  assert(html !== undefined && html.startsWith(home), stdout);
  assert((await Deno.readTextFile(html)).includes("<svg"), "the report has charts");
  await Deno.remove(home, { recursive: true });
});

Deno.test("sweep refuses an unknown dataset naming the flag", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-sweep-cli-" });
  const result = await cliProcess(home, "sweep", "--datasets", "spread-hard");
  assertEquals(result.code, 2);
  assert(result.stderr.includes("--datasets"), result.stderr);
  await Deno.remove(home, { recursive: true });
});
