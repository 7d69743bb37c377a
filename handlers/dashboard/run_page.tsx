/**
 * A run's page (`/runs/:id`): its state and actions (cancel, resume), live progress and charts
 * (drawn by the page's script from the run's event stream), its steps as a timeline, and what
 * it produced (summary, parameters, artifacts). A sweep's page adds its cells, each linked to
 * the page of that cell alone (`?step=`), and its report inline.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type { RunRecord, StepRecord } from "../../workflows/mod.ts";
import type { ArtifactEntry } from "../runs/artifact_files.ts";
import {
  ChartGrid,
  formatMs,
  formatNumber,
  formatTime,
  Layout,
  type PageContext,
  StateBadge,
} from "./layout.tsx";
import { pick, runFacts } from "./run_facts.ts";

/** Artifacts a browser shows in place rather than downloads. */
const VIEWABLE = /\.(html|txt|json|csv|log)$/;

/**
 * When a started step ended: its finish time, now while it runs, else the run's end (a step
 * stopped by a cancel keeps no finish time of its own).
 */
function stepEnd(step: StepRecord, run: RunRecord, now: number): number {
  if (step.finishedAt !== null) return step.finishedAt;
  return step.state === "running" ? now : run.finishedAt ?? now;
}

const stepDuration = (step: StepRecord, run: RunRecord, now: number) =>
  step.startedAt === null ? undefined : stepEnd(step, run, now) - step.startedAt;

/** Left offset and width (percent of the run's span) of a step's bar in the timeline. */
function barOf(
  step: StepRecord,
  run: RunRecord,
  span: { start: number; end: number },
  now: number,
) {
  if (step.startedAt === null) return undefined;
  const total = Math.max(1, span.end - span.start);
  const left = ((step.startedAt - span.start) / total) * 100;
  const width = Math.max(0.5, ((stepEnd(step, run, now) - step.startedAt) / total) * 100);
  return `left:${left.toFixed(2)}%;width:${Math.min(width, 100 - left).toFixed(2)}%`;
}

/** The steps as a timeline table (also sent alone as the page's refresh fragment). */
export const StepsTimeline: FC<{ run: RunRecord; steps: StepRecord[]; now: number }> = (
  { run, steps, now },
) => {
  const starts = steps.flatMap((s) => s.startedAt === null ? [] : [s.startedAt]);
  const span = {
    start: Math.min(run.startedAt ?? now, ...starts),
    end: run.finishedAt ?? now,
  };
  return (
    <div id="steps" data-refresh="steps" data-run-state={run.state}>
      <table class="steps">
        <thead>
          <tr>
            <th>step</th>
            <th>state</th>
            <th class="num">attempt</th>
            <th>lease owner</th>
            <th class="num">duration</th>
            <th class="timeline">timeline</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr data-step={step.stepId}>
              <td title={step.after.length > 0 ? `after ${step.after.join(", ")}` : undefined}>
                {step.stepId}
                {step.error === null ? null : <div class="error">{step.error}</div>}
              </td>
              <td>
                <StateBadge state={step.state} />
              </td>
              <td class="num">{step.attempt}/{step.maxAttempts}</td>
              <td>{step.leaseOwner ?? "-"}</td>
              <td class="num">{formatMs(stepDuration(step, run, now))}</td>
              <td class="timeline">
                {barOf(step, run, span, now) === undefined
                  ? null
                  : <span class={`bar state-${step.state}`} style={barOf(step, run, span, now)} />}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
};

/** A sweep's cells: progress over all of them, and one row per cell with its score. */
export const SweepCells: FC<{ run: RunRecord; steps: StepRecord[] }> = ({ run, steps }) => {
  const cells = steps.filter((step) => step.group === "cell");
  const done = cells.filter((step) => step.state === "succeeded").length;
  return (
    <section id="cells" data-refresh="cells">
      <h2>Cells</h2>
      <p>
        <progress max={Math.max(1, cells.length)} value={done}></progress>{" "}
        <span class="cell-count">{done} of {cells.length} cells done</span>
      </p>
      <table class="cells">
        <thead>
          <tr>
            <th>cell</th>
            <th>state</th>
            <th class="num">score</th>
            <th class="num">it/s</th>
          </tr>
        </thead>
        <tbody>
          {cells.map((step) => {
            const score = pick(step.output, "evaluate", "normalisedScore") ??
              pick(step.output, "evaluate", "teamReturn");
            const speed = pick(step.output, "train", "itersPerSecond");
            return (
              <tr data-cell={step.stepId}>
                <td>
                  <a href={`/runs/${run.id}?step=${encodeURIComponent(step.stepId)}`}>
                    {step.stepId.replace(/^cell\//, "")}
                  </a>
                </td>
                <td>
                  <StateBadge state={step.state} />
                </td>
                <td class="num">{typeof score === "number" ? formatNumber(score) : "-"}</td>
                <td class="num">{typeof speed === "number" ? formatNumber(speed) : "-"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
};

const Artifacts: FC<{ runId: string; artifacts: ArtifactEntry[] }> = ({ runId, artifacts }) => (
  <section>
    <h2>Artifacts</h2>
    {artifacts.length === 0 ? <p class="empty">None yet.</p> : (
      <ul class="artifacts">
        {artifacts.map(({ name, bytes }) => {
          const href = `/v1/runs/${runId}/artifacts/${encodeURIComponent(name)}`;
          return (
            <li>
              <a href={href} download={name}>{name}</a> <span class="meta">{bytes} bytes</span>
              {VIEWABLE.test(name)
                ? (
                  <>
                    {" "}
                    <a href={`${href}?disposition=inline`} target="_blank">view</a>
                  </>
                )
                : null}
            </li>
          );
        })}
      </ul>
    )}
  </section>
);

/** The whole run page. */
export const RunPage: FC<{
  page: PageContext;
  run: RunRecord;
  steps: StepRecord[];
  artifacts: ArtifactEntry[];
  /** Show the charts and progress of this step only (a sweep cell). */
  step?: string;
  now: number;
}> = ({ page, run, steps, artifacts, step, now }) => {
  const facts = runFacts(run, now);
  const summary = pick(run.output, "summary");
  const isSweep = run.workflow === "sweep";
  const hasReport = artifacts.some((a) => a.name === "report.html");
  const active = run.state === "queued" || run.state === "running";
  return (
    <Layout page={page} title={`Run ${facts.shortId}`} section="runs">
      <div
        id="run"
        data-run={run.id}
        data-step={step ?? ""}
        data-state={run.state}
        data-live={!isSweep || step !== undefined ? "charts" : "steps"}
      >
        <h1>
          {run.workflow} <span class="run-id">{facts.shortId}</span>{" "}
          <StateBadge state={run.state} />
          {step === undefined ? null : <span class="cell-name">{step}</span>}
        </h1>
        <p class="meta">
          id {run.id} · submitted {formatTime(run.createdAt)} · started {formatTime(run.startedAt)}
          {" "}
          · finished {formatTime(run.finishedAt)} · duration {formatMs(facts.durationMs)}
          {run.scheduleId === null ? null : <>· schedule {run.scheduleId}</>}
        </p>
        {run.error === null ? null : <p class="error">{run.error}</p>}
        <div class="actions">
          {active ? <button type="button" data-action="cancel">Cancel</button> : null}
          {run.state === "failed" || run.state === "cancelled"
            ? <button type="button" data-action="resume">Resume</button>
            : null}
          {step === undefined ? null : <a href={`/runs/${run.id}`}>All of the sweep</a>}
          <a href={`/compare?runs=${run.id}`}>Compare…</a>
        </div>
        <section id="progress" aria-live="polite"></section>
        {isSweep && step === undefined ? null : (
          <ChartGrid
            charts={[
              ["losses", "Losses"],
              ["weightEss", "Weight ESS (effective sample size of the policy weights, 0-1)"],
              ["evaluation", "Evaluation score"],
            ]}
          />
        )}
        {isSweep && step === undefined ? <SweepCells run={run} steps={steps} /> : null}
        <h2>Steps</h2>
        <StepsTimeline run={run} steps={steps} now={now} />
        {typeof summary === "string"
          ? (
            <section>
              <h2>Summary</h2>
              <pre class="summary">{summary}</pre>
            </section>
          )
          : null}
        {isSweep && hasReport && step === undefined
          ? (
            <section>
              <h2>Report</h2>
              <iframe
                class="report"
                title="sweep report"
                src={`/v1/runs/${run.id}/artifacts/report.html?disposition=inline`}
              >
              </iframe>
            </section>
          )
          : null}
        <section>
          <h2>Parameters</h2>
          <pre class="params">{JSON.stringify(run.params, null, 2)}</pre>
        </section>
        <Artifacts runId={run.id} artifacts={artifacts} />
        {run.output === null ? null : (
          <details>
            <summary>Output (JSON)</summary>
            <pre>{JSON.stringify(run.output, null, 2)}</pre>
          </details>
        )}
      </div>
    </Layout>
  );
};
