/**
 * The workflow commands of the CLI, run as a user runs them (a subprocess with stdout not a
 * terminal, so progress comes as plain lines).
 */
import { assert, assertEquals } from "../../assert.ts";
import { cliProcess, REPO_ROOT } from "../run_cli.ts";

Deno.test("run, runs and worker commands drive a workflow from flags to a finished run", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-cli-" });
  const run = await cliProcess(
    home,
    "run",
    "hash-chain",
    "--iterations",
    "200",
    "--rounds-per-iteration=1000",
    "--checkpoint-every",
    "50",
    "--idempotency-key",
    "cli-1",
  );
  assertEquals(run.code, 0, run.stderr);
  assert(run.stdout.includes("chain: iteration 100/200 (50%)"), run.stdout);
  assert(run.stdout.includes("succeeded"), run.stdout);
  const runId = /submitted run (\S+)/.exec(run.stdout)![1];

  const list = await cliProcess(home, "runs", "list", "--json");
  assertEquals(JSON.parse(list.stdout).map((r: { id: string }) => r.id), [runId]);
  const table = await cliProcess(home, "runs", "list");
  assert(table.stdout.includes(runId.slice(0, 8)), table.stdout);
  // The short id the list prints names the run.
  const show = await cliProcess(home, "runs", "show", runId.slice(0, 8), "--json");
  const shown = JSON.parse(show.stdout);
  assertEquals(shown.steps.map((s: { state: string }) => s.state), [
    "succeeded",
    "succeeded",
    "succeeded",
  ]);
  assertEquals(shown.params.iterations, 200);
  const logs = await cliProcess(home, "runs", "logs", runId, "--after", "3", "--json");
  const seqs = logs.stdout.trim().split("\n").map((line) => JSON.parse(line).seq);
  assertEquals(seqs[0], 4);
  const cancel = await cliProcess(home, "runs", "cancel", runId);
  assertEquals(cancel.code, 2);
  assert(cancel.stderr.includes("already succeeded"), cancel.stderr);

  const detached = await cliProcess(home, "run", "hash-chain", "--iterations", "20", "--detach");
  assertEquals(detached.code, 0, detached.stderr);
  const worker = await cliProcess(home, "worker", "--until-idle");
  assertEquals(worker.code, 0, worker.stderr);
  assert(worker.stdout.includes("run.succeeded"), worker.stdout);
  assert(worker.stdout.includes("nothing left to run"), worker.stdout);
  Deno.removeSync(home, { recursive: true });
});

Deno.test("bad workflow flags are refused with the field named", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-cli-" });
  const zero = await cliProcess(home, "run", "hash-chain", "--iterations", "0");
  assertEquals(zero.code, 2);
  assert(zero.stderr.includes("--iterations: "), zero.stderr);
  const unknown = await cliProcess(home, "run", "hash-chain", "--iteration", "5");
  assertEquals(unknown.code, 2);
  assert(unknown.stderr.includes("--iterations"), unknown.stderr);
  const workflow = await cliProcess(home, "run", "nope");
  assertEquals(workflow.code, 2);
  assert(workflow.stderr.includes("hash-chain"), workflow.stderr);
  Deno.removeSync(home, { recursive: true });
});

Deno.test("schedules add, list and rm", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-cli-" });
  const add = await cliProcess(
    home,
    "schedules",
    "add",
    "nightly",
    "--cron",
    "0 3 * * *",
    "--workflow",
    "hash-chain",
    "--iterations",
    "500",
  );
  assertEquals(add.code, 0, add.stderr);
  const list = await cliProcess(home, "schedules", "list", "--json");
  const [schedule] = JSON.parse(list.stdout);
  assertEquals([schedule.id, schedule.cron, schedule.params.iterations], [
    "nightly",
    "0 3 * * *",
    500,
  ]);
  const bad = await cliProcess(
    home,
    "schedules",
    "add",
    "x",
    "--cron",
    "nope",
    "--workflow",
    "hash-chain",
  );
  assertEquals(bad.code, 2);
  assert(bad.stderr.includes("cron"), bad.stderr);
  assertEquals((await cliProcess(home, "schedules", "rm", "nightly")).code, 0);
  assertEquals((await cliProcess(home, "schedules", "list")).stdout.trim(), "no schedules");
  Deno.removeSync(home, { recursive: true });
});

Deno.test("Ctrl-C on a foreground run cancels it, says how to resume it, and leaves nothing for a worker", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-cli-" });
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "scripts/omiga.ts",
      "run",
      "hash-fan",
      "--chains",
      "2",
      "--iterations",
      "100000",
      "--rounds-per-iteration",
      "20000",
    ],
    cwd: REPO_ROOT,
    env: { OMIGA_HOME: home, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Read progress lines until both chains report: two steps of the run are running at once.
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let stdout = "";
  while (!(stdout.includes("chain/0: iteration") && stdout.includes("chain/1: iteration"))) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`the run ended before both chains ran:\n${stdout}`);
    stdout += value;
  }
  child.kill("SIGINT");
  for (let part = await reader.read(); !part.done; part = await reader.read()) stdout += part.value;
  const status = await child.status;
  await child.stderr.cancel();
  assertEquals(status.code, 1, stdout);
  assert(stdout.includes("interrupted: stopping run"), stdout);
  const runId = /submitted run (\S+)/.exec(stdout)![1];
  assert(stdout.includes(`resume it with: deno task omiga runs resume ${runId}`), stdout);

  const shown = JSON.parse((await cliProcess(home, "runs", "show", runId, "--json")).stdout);
  assertEquals(shown.state, "cancelled");
  assertEquals(shown.steps.map((s: { state: string }) => s.state), [
    "succeeded",
    "cancelled",
    "cancelled",
    "cancelled",
  ]);
  const logs = await cliProcess(home, "runs", "logs", runId, "--json");
  const cancelled = logs.stdout.trim().split("\n").map((l) => JSON.parse(l))
    .find((e: { type: string }) => e.type === "run.cancelled");
  assertEquals(cancelled.payload.reason, "interrupted (Ctrl-C)");
  // Nothing is left for a worker to pick up silently.
  const worker = await cliProcess(home, "worker", "--until-idle", "--quiet");
  assert(worker.stdout.includes("nothing left to run"), worker.stdout);
  assertEquals(
    JSON.parse((await cliProcess(home, "runs", "show", runId, "--json")).stdout).state,
    "cancelled",
  );
  Deno.removeSync(home, { recursive: true });
});
