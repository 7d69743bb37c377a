import { fileURLToPath } from "node:url";
import { assert, assertEquals } from "../assert.ts";
import { Rng } from "../../core/rng.ts";
import { openEngine } from "./fixtures/operations.ts";
import { assertDatabaseIntact, wholeRuns } from "./fixtures/workflow_checks.ts";

const LOOP = fileURLToPath(new URL("./fixtures/submit_loop.ts", import.meta.url));
const KEYS = 400;
const KILLS = 16;

/** Runs the loop until its `ready` line plus `delayMs`, then kills it; returns the keys it printed. */
async function killAfter(home: string, delayMs: number | null): Promise<string[]> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", LOOP, home, String(KEYS)],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines: string[] = [];
  let ready!: () => void;
  const started = new Promise<void>((resolve) => ready = resolve);
  const reading = child.stdout.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({
      write(text) {
        lines.push(...text.split("\n").filter((line) => line !== ""));
        if (lines[0] === "ready") ready();
      },
    }),
  );
  if (delayMs !== null) {
    await started;
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    child.kill("SIGKILL");
  }
  const status = await child.status;
  await reading;
  assert(delayMs !== null || status.success, `the loop failed: ${status.code}`);
  return lines.filter((line) => line !== "ready");
}

Deno.test("keyed submissions killed at random moments lose no committed run and duplicate none", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-crash-timed-" });
  openEngine(home).store.close(); // the schema, so that the kills land in submissions
  const rng = Rng.fromSeed(17);
  const acknowledged = new Set<string>();
  let inNewSubmissions = 0;
  for (let kill = 0; kill <= KILLS; kill++) {
    const last = kill === KILLS; // the last loop runs to the end
    const before = acknowledged.size;
    const printed = await killAfter(home, last ? null : rng.float() * 40);
    for (const key of printed) acknowledged.add(key);
    // Past the keys already stored, the kill landed in a new submission (or between two).
    if (!last && printed.length >= before) inNewSubmissions++;
    const engine = openEngine(home);
    try {
      assertDatabaseIntact(home);
      const keys = wholeRuns(engine.store).map((run) => run.idempotencyKey ?? "");
      assertEquals(new Set(keys).size, keys.length, `a key with two runs after kill ${kill}`);
      const missing = [...acknowledged].filter((key) => !keys.includes(key));
      assertEquals(missing, [], `committed submissions lost at kill ${kill}`);
      if (last) assertEquals(keys.length, KEYS);
    } finally {
      engine.store.close();
    }
  }
  Deno.removeSync(home, { recursive: true });
  console.log(`run submission: ${KILLS} timed kills, ${inNewSubmissions} amid new submissions`);
});
