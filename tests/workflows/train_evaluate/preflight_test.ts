/**
 * A train-evaluate run that could only fail is refused when it is submitted, by the CLI, the
 * HTTP API and schedule creation alike: an unknown dataset (404, exit 2), a stored dataset whose
 * shapes do not fit the environment it names, or whose actions the algorithm does not cover
 * (400, exit 2); each message names the dataset and what did not fit, and nothing is queued.
 */
import { join } from "node:path";
import { assert, assertEquals, assertRejects } from "../../assert.ts";
import { ValidationError } from "../../../core/errors.ts";
import { DatasetError, removeDataset, saveDataset } from "../../../data/mod.ts";
import { defaultRegistry, Scheduler } from "../../../workflows/mod.ts";
import { errorOf, openTestApp } from "../../handlers/test_app.ts";
import { cliProcess } from "../../scripts/run_cli.ts";
import { makeDataset, makeInfo } from "../../data/fixtures.ts";
import { openTestEngine } from "../test_engine.ts";

/** A stored dataset that names spread but has 2 agents with 3-wide observations (spread: 3, 14). */
async function storeMisfit(home: string) {
  const dataset = makeDataset([{ length: 4, end: "done" }]);
  return await saveDataset(dataset, makeInfo("not-spread", { env: "spread", envConfig: {} }), {
    home,
  });
}

Deno.test("submitting names an unknown dataset (not_found) and queues nothing", async () => {
  using t = openTestEngine(defaultRegistry());
  for (const dataset of ["no-such-dataset", "spread-medium-0123456789ab"]) {
    const error = await assertRejects(
      () => t.engine.submitChecked("train-evaluate", { dataset }),
      DatasetError,
    );
    assertEquals(error.code, "not_found");
    assert(error.message.includes(`no dataset "${dataset}"`), error.message);
  }
  const scheduler = new Scheduler(t.engine);
  const spec = {
    id: "nightly",
    cron: "0 3 * * *",
    workflow: "train-evaluate",
    params: { dataset: "no-such-dataset" },
  };
  await assertRejects(() => scheduler.addChecked(spec), DatasetError, "no-such-dataset");
  assertEquals([t.store.runs.list().length, scheduler.list().length], [0, 0]);
});

Deno.test("a stored dataset that does not fit its env or the algorithm is refused naming both", async () => {
  using t = openTestEngine(defaultRegistry());
  const misfit = await storeMisfit(t.home);
  const shapes = await assertRejects(
    () => t.engine.submitChecked("train-evaluate", { dataset: misfit.name }),
    ValidationError,
  );
  assert(shapes.message.includes(`dataset ${misfit.id} ("not-spread") does not fit spread`));
  assert(
    shapes.message.includes("it has nAgents 2, obsDim 3, stateDim 4; spread has nAgents 3"),
    shapes.message,
  );

  const discrete = await saveDataset(
    makeDataset([{ length: 4, end: "done" }], { discrete: true }),
    makeInfo("discrete"),
    { home: t.home },
  );
  const kind = await assertRejects(
    () => t.engine.submitChecked("train-evaluate", { dataset: discrete.id, algorithm: "omar" }),
    ValidationError,
  );
  assert(kind.message.includes(`dataset ${discrete.id} ("discrete") has discrete actions`));
  assert(kind.message.includes("omar covers continuous actions only"), kind.message);
  assertEquals(t.store.runs.list().length, 0);
  // A dataset that fits is accepted.
  const { created } = await t.engine.submitChecked("train-evaluate", { dataset: discrete.id });
  assert(created);
});

Deno.test("a dataset removed after submission fails the run at once, without retries", async () => {
  using t = openTestEngine(defaultRegistry());
  const stored = await saveDataset(makeDataset([{ length: 4, end: "done" }]), makeInfo("gone"), {
    home: t.home,
  });
  const { run } = await t.engine.submitChecked("train-evaluate", { dataset: stored.id });
  await removeDataset(stored.id, { home: t.home });
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.state, "failed");
  assert(finished.error?.includes(`no dataset "${stored.id}"`), finished.error ?? "");
  assertEquals(t.store.runs.steps(run.id)[0].attempt, 1);
});

Deno.test("over HTTP: an unknown dataset is a 404, a misfit a 400, for runs and schedules", async () => {
  using t = openTestApp();
  const run = (params: unknown) => ({
    method: "POST",
    json: { workflow: "train-evaluate", params },
  });
  const unknown = await errorOf(await t.call("/v1/runs", run({ dataset: "no-such-dataset" })));
  assertEquals([unknown.status, unknown.code], [404, "not_found"]);
  assert(unknown.message.includes("no-such-dataset"), unknown.message);
  const misfit = await storeMisfit(t.home);
  const bad = await errorOf(await t.call("/v1/runs", run({ dataset: misfit.id })));
  assertEquals([bad.status, bad.code], [400, "invalid_input"]);
  assert(bad.message.includes(`${misfit.id} ("not-spread") does not fit spread`), bad.message);
  const schedule = await errorOf(
    await t.call("/v1/schedules", {
      method: "POST",
      json: {
        id: "nightly",
        cron: "0 3 * * *",
        workflow: "train-evaluate",
        params: { dataset: "no-such-dataset" },
      },
    }),
  );
  assertEquals(schedule.status, 404);
  assertEquals([t.store.runs.list().length, t.store.schedules.list().length], [0, 0]);
});

Deno.test("from the CLI: run and schedules add with an unknown dataset exit 2 naming it", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-preflight-cli-" });
  const run = await cliProcess(home, "run", "train-evaluate", "--dataset", "no-such-dataset");
  assertEquals(run.code, 2, run.stderr);
  assertEquals(
    run.stderr.trim(),
    'error: no dataset "no-such-dataset"; `deno task omiga ' +
      "datasets list` shows the stored ones",
  );
  const schedule = await cliProcess(
    home,
    "schedules",
    "add",
    "nightly",
    "--cron",
    "0 3 * * *",
    "--workflow",
    "train-evaluate",
    "--dataset",
    "no-such-dataset",
  );
  assertEquals(schedule.code, 2, schedule.stderr);
  assert(schedule.stderr.includes("no-such-dataset"), schedule.stderr);
  const misfit = await storeMisfit(home);
  const refused = await cliProcess(home, "run", "train-evaluate", "--dataset", misfit.id);
  assertEquals(refused.code, 2, refused.stderr);
  assertEquals(refused.stderr.trim().split("\n").length, 1, refused.stderr);
  assert(refused.stderr.includes(`${misfit.id} ("not-spread") does not fit spread`));
  assertEquals((await cliProcess(home, "runs", "list", "--json")).stdout.trim(), "[]");
  Deno.removeSync(join(home), { recursive: true });
});
