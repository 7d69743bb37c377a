/**
 * The crash harness: kills a child process performing one operation at each of its crash
 * points in turn (core/crash_point.ts: every write, fsync, rename, removal and transaction
 * boundary it passes), and checks the home it leaves after each death. Crash points are
 * counted, not timed, so a failure names the point (`OMIGA_CRASH_AT=N`) and reproduces.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { assert } from "../assert.ts";
import { type Operation, prepare } from "./fixtures/operations.ts";

const CHILD = fileURLToPath(new URL("./fixtures/crash_child.ts", import.meta.url));
/** A crash point beyond any operation's last: the child only counts. */
const NEVER = 1_000_000_000;

/** How a child run ended: killed at a crash point (its label), or done after `crashPoints`. */
export type ChildEnd = { killedAt: string } | { crashPoints: number };

/** Runs the child on `home` with `OMIGA_CRASH_AT=crashAt`. */
export async function runChild(operation: Operation, home: string, crashAt: number) {
  const { code, signal, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CHILD, operation, home],
    env: { OMIGA_CRASH_AT: String(crashAt) },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const errors = new TextDecoder().decode(stderr);
  if (signal === "SIGKILL") {
    const label = /crash point \d+: (.*)\n/.exec(errors)?.[1];
    assert(label !== undefined, `the child died by SIGKILL outside a crash point:\n${errors}`);
    return { killedAt: label } satisfies ChildEnd;
  }
  assert(code === 0, `the ${operation} child failed (exit ${code}, signal ${signal}):\n${errors}`);
  return JSON.parse(new TextDecoder().decode(stdout)) as ChildEnd;
}

/** A fresh home holding what `operation` starts from. */
export async function preparedHome(operation: Operation): Promise<string> {
  const home = await Deno.makeTempDir({ prefix: `omiga-crash-${operation}-` });
  await prepare(operation, home);
  return home;
}

/**
 * Kills `operation` at each of its crash points, one child per point (two at a time), and calls
 * `check` on the home each leaves; returns how many points there were. A failing check's error
 * names the point and its label.
 */
export async function killAtEveryPoint(
  operation: Operation,
  check: (home: string) => Promise<void>,
): Promise<number> {
  const counting = await preparedHome(operation);
  const whole = await runChild(operation, counting, NEVER);
  await Deno.remove(counting, { recursive: true });
  assert("crashPoints" in whole && whole.crashPoints > 0, `${operation} passed no crash point`);
  const points = Array.from({ length: whole.crashPoints }, (_, i) => i + 1);
  const killOne = async (point: number) => {
    const home = await preparedHome(operation);
    const end = await runChild(operation, home, point);
    assert("killedAt" in end, `${operation}: the child was not killed at crash point ${point}`);
    try {
      await check(home);
    } catch (error) {
      const where = `${operation} killed at crash point ${point} (OMIGA_CRASH_AT=${point}: ` +
        `${end.killedAt})`;
      throw new Error(`${where}: ${error instanceof Error ? error.message : error}`, {
        cause: error,
      });
    }
    await Deno.remove(home, { recursive: true });
  };
  const lanes = [0, 1].map(async (lane) => {
    for (let i = lane; i < points.length; i += 2) await killOne(points[i]);
  });
  await Promise.all(lanes);
  return points.length;
}
