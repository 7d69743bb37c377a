/**
 * The runs page (`/`): every run newest first, filtered by state, workflow, algorithm or
 * dataset, with checkboxes to compare runs. The page's script refreshes the table every few
 * seconds by fetching it again as a fragment (`?fragment=table`), so a run submitted anywhere
 * appears without a reload.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type { RunState, WorkflowStore } from "../../workflows/mod.ts";
import { RUN_STATES } from "../runs/schemas.ts";
import {
  formatMs,
  formatTime,
  Layout,
  type PageContext,
  RunFactCells,
  RunFactHeadings,
} from "./layout.tsx";
import { type RunFacts, runFacts } from "./run_facts.ts";

/** The filters of the runs page, from its query string. */
export interface RunFilter {
  state?: RunState;
  workflow?: string;
  algorithm?: string;
  dataset?: string;
  /** Show runs submitted before this position (the "older" link). */
  before?: number;
}

/** Rows per page. */
export const RUNS_PER_PAGE = 50;
/** The most runs one page looks through for the algorithm and dataset filters. */
const SCAN_LIMIT = 5_000;

/** Reads the filters from a query string, ignoring what is not one. */
export function runFilterOf(query: URLSearchParams): RunFilter {
  const state = query.get("state") ?? "";
  const before = Number(query.get("before"));
  const textOf = (name: string) => query.get(name)?.trim().slice(0, 100) || undefined;
  return {
    state: (RUN_STATES as readonly string[]).includes(state) ? state as RunState : undefined,
    workflow: textOf("workflow"),
    algorithm: textOf("algorithm"),
    dataset: textOf("dataset"),
    before: Number.isSafeInteger(before) && before > 0 ? before : undefined,
  };
}

const contains = (value: string | undefined, wanted: string | undefined) =>
  wanted === undefined || (value ?? "").toLowerCase().includes(wanted.toLowerCase());

/**
 * One page of runs that pass `filter`, newest first: state and workflow are filtered by the
 * store, algorithm and dataset here, looking through at most {@link SCAN_LIMIT} runs.
 */
export function findRuns(
  store: WorkflowStore,
  filter: RunFilter,
  now = Date.now(),
): { rows: RunFacts[]; next: number | null } {
  const rows: RunFacts[] = [];
  let before = filter.before;
  let scanned = 0;
  while (scanned < SCAN_LIMIT) {
    const page = store.runs.page({
      state: filter.state,
      workflow: filter.workflow,
      limit: RUNS_PER_PAGE,
      before,
    });
    for (const [index, run] of page.runs.entries()) {
      const facts = runFacts(run, now);
      if (!contains(facts.algorithm, filter.algorithm)) continue;
      if (!contains(facts.dataset, filter.dataset)) continue;
      rows.push(facts);
      if (rows.length === RUNS_PER_PAGE) {
        // The next page starts after this run, even when this store page goes on.
        const rest = page.runs.length - index - 1;
        return { rows, next: rest > 0 ? store.runs.positionOf(run.id) : page.next };
      }
    }
    scanned += page.runs.length;
    if (page.next === null) return { rows, next: null };
    before = page.next;
  }
  return { rows, next: before ?? null };
}

function olderLink(filter: RunFilter, next: number): string {
  const query = new URLSearchParams();
  for (const key of ["state", "workflow", "algorithm", "dataset"] as const) {
    const value = filter[key];
    if (value !== undefined) query.set(key, value);
  }
  query.set("before", String(next));
  return `/?${query}`;
}

/** The run table (also sent alone as the page's refresh fragment). */
export const RunsTable: FC<{ rows: RunFacts[]; next: number | null; filter: RunFilter }> = (
  { rows, next, filter },
) => (
  <div id="runs-table" data-refresh="table">
    {rows.length === 0
      ? <p class="empty">No runs match. Submit one with the CLI or the API.</p>
      : (
        <table class="runs">
          <thead>
            <tr>
              <th></th>
              <RunFactHeadings />
              <th class="num">duration</th>
              <th>started</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((run) => (
              <tr data-run={run.id}>
                <td>
                  <input
                    type="checkbox"
                    name="runs"
                    value={run.id}
                    form="compare-form"
                    aria-label={`compare ${run.shortId}`}
                  />
                </td>
                <RunFactCells run={run} />
                <td class="num">{formatMs(run.durationMs)}</td>
                <td>{formatTime(run.startedAt ?? run.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    {next === null ? null : <a class="older" href={olderLink(filter, next)}>Older runs</a>}
  </div>
);

/** The whole runs page. */
export const RunsPage: FC<{
  page: PageContext;
  workflows: string[];
  filter: RunFilter;
  rows: RunFacts[];
  next: number | null;
}> = ({ page, workflows, filter, rows, next }) => (
  <Layout page={page} title="Runs" section="runs">
    <h1>Runs</h1>
    <form method="get" action="/" class="filters">
      <label>
        state{" "}
        <select name="state">
          <option value="">any</option>
          {RUN_STATES.map((state) => (
            <option value={state} selected={state === filter.state}>{state}</option>
          ))}
        </select>
      </label>
      <label>
        workflow{" "}
        <select name="workflow">
          <option value="">any</option>
          {workflows.map((name) => (
            <option value={name} selected={name === filter.workflow}>{name}</option>
          ))}
        </select>
      </label>
      <label>
        algorithm <input name="algorithm" value={filter.algorithm ?? ""} size={10} />
      </label>
      <label>
        dataset <input name="dataset" value={filter.dataset ?? ""} size={16} />
      </label>
      <button type="submit">Filter</button>
    </form>
    <form method="get" action="/compare" id="compare-form" class="compare-form">
      <button type="submit">Compare selected</button>
    </form>
    <RunsTable rows={rows} next={next} filter={filter} />
  </Layout>
);
