/** The dashboard's pages rendered alone, from records built here. */
import { assert, assertEquals } from "../assert.ts";
import { RunPage } from "../../handlers/dashboard/run_page.tsx";
import type { RunRecord, StepRecord } from "../../workflows/mod.ts";

const RUN: RunRecord = {
  id: "32b5d102-6c65-4150-94c2-4b8fb1c9656b",
  workflow: "sweep",
  params: { preset: "smoke", datasets: ["spread-medium"], algorithms: ["omiga", "bc"] },
  state: "running",
  idempotencyKey: null,
  scheduleId: null,
  output: null,
  error: null,
  errorCode: null,
  annotations: {},
  requestHash: "",
  createdAt: 1_000,
  updatedAt: 1_000,
  startedAt: 1_000,
  finishedAt: null,
};

function step(stepId: string, state: StepRecord["state"], output: StepRecord["output"] = null) {
  return {
    runId: RUN.id,
    stepId,
    position: 0,
    group: stepId.startsWith("cell/") ? "cell" : null,
    after: [],
    concurrencyKey: null,
    state,
    input: null,
    output,
    attempt: 1,
    maxAttempts: 5,
    retryAt: null,
    leaseOwner: null,
    leaseExpiresAt: null,
    heartbeatAt: null,
    error: null,
    errorCode: null,
    startedAt: 1_000,
    finishedAt: state === "succeeded" ? 2_000 : null,
  } satisfies StepRecord;
}

Deno.test("a sweep's page counts its cells, links each to its own page and shows the report inline", async () => {
  const steps = [
    step("cell/spread-medium/omiga/a10/s0", "succeeded", {
      evaluate: { normalisedScore: 67.123 },
      train: { itersPerSecond: 30.8 },
    }),
    step("cell/spread-medium/bc/s0", "running"),
  ];
  const page = { csrf: "c", signedIn: true };
  const render = async (artifacts: { name: string; bytes: number; modifiedAt: null }[]) =>
    String(
      await <RunPage page={page} run={RUN} steps={steps} artifacts={artifacts} now={3_000} />,
    );
  const html = await render([{ name: "report.html", bytes: 10, modifiedAt: null }]);
  assert(html.includes("1 of 2 cells done"), "cell progress");
  assert(html.includes(`href="/runs/${RUN.id}?step=cell%2Fspread-medium%2Fomiga%2Fa10%2Fs0"`));
  assert(html.includes("67.1"), "the finished cell's score");
  assert(html.includes(`src="/v1/runs/${RUN.id}/artifacts/report.html?disposition=inline"`));
  assert(html.includes('data-action="cancel"'), "a running sweep can be cancelled");
  assert(!html.includes('data-chart="losses"'), "the whole sweep has no single curve");
  assert(!(await render([])).includes("<iframe"), "no report before the report step");

  const cell = String(
    await (
      <RunPage
        page={page}
        run={RUN}
        steps={steps}
        artifacts={[]}
        step="cell/spread-medium/bc/s0"
        now={3_000}
      />
    ),
  );
  assertEquals(cell.includes('data-step="cell/spread-medium/bc/s0"'), true);
  assert(cell.includes('data-chart="losses"'), "a cell's page has its charts");
  assert(!cell.includes("cells done"));
});
