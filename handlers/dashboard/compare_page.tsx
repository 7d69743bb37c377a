/**
 * The compare page (`/compare?runs=a,b`): two or more runs side by side, their summaries in one
 * table and their curves (evaluation score, weight ESS, policy loss) on shared charts, drawn by
 * the page's script from each run's event stream, live for runs still training.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import {
  ChartGrid,
  formatMs,
  formatNumber,
  Layout,
  type PageContext,
  RunFactCells,
  RunFactHeadings,
} from "./layout.tsx";
import { pick } from "./run_facts.ts";
import type { RunFacts } from "./run_facts.ts";
import type { RunRecord } from "../../workflows/mod.ts";

/** The most runs one comparison holds. */
export const MAX_COMPARED = 12;

/** The run ids (or prefixes) a compare URL names: `runs=a,b` or `runs=a&runs=b`. */
export function comparedIds(query: URLSearchParams): string[] {
  const ids = query.getAll("runs").flatMap((value) => value.split(","))
    .map((id) => id.trim()).filter((id) => id.length > 0);
  return [...new Set(ids)];
}

/** The compare page. */
export const ComparePage: FC<{
  page: PageContext;
  runs: { record: RunRecord; facts: RunFacts }[];
  problems: string[];
}> = ({ page, runs, problems }) => (
  <Layout page={page} title="Compare runs" section="compare">
    <h1>Compare runs</h1>
    <form method="get" action="/compare" class="filters">
      <label>
        runs (ids or prefixes, comma-separated){" "}
        <input
          name="runs"
          size={60}
          value={runs.map((r) => r.facts.shortId).join(",")}
          placeholder="6aa8132b,1f0c2c7d"
        />
      </label>
      <button type="submit">Compare</button>
    </form>
    {problems.map((problem) => <p class="error" key={problem}>{problem}</p>)}
    {runs.length === 0
      ? <p class="empty">Pick runs on the runs page, or name them above.</p>
      : (
        <div id="compare" data-runs={runs.map((r) => r.record.id).join(",")}>
          <table class="compare">
            <thead>
              <tr>
                <RunFactHeadings />
                <th class="num">it/s</th>
                <th class="num">weight ESS</th>
                <th class="num">duration</th>
              </tr>
            </thead>
            <tbody>
              {runs.map(({ record, facts }) => {
                const speed = pick(record.output, "training", "itersPerSecond");
                const ess = pick(record.output, "training", "losses", "weightEss");
                return (
                  <tr data-run={record.id}>
                    <RunFactCells run={facts} />
                    <td class="num">{typeof speed === "number" ? formatNumber(speed) : "-"}</td>
                    <td class="num">{typeof ess === "number" ? formatNumber(ess, 3) : "-"}</td>
                    <td class="num">{formatMs(facts.durationMs)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <ChartGrid
            charts={[
              ["evaluation", "Evaluation score"],
              ["weightEss", "Weight ESS"],
              ["policy", "Policy loss"],
            ]}
          />
        </div>
      )}
  </Layout>
);
