/**
 * The datasets pages: every stored dataset (`/datasets`, narrowed by a text filter on name,
 * environment and tier), and one dataset (`/datasets/:id`): its manifest, statistics, episode
 * return histogram, lineage, the runs trained on it, and a form that stores the episodes a
 * filter selects as a derived dataset.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type { DatasetManifest, DatasetStats } from "../../data/mod.ts";
import { formatNumber, Layout, type PageContext } from "./layout.tsx";
import type { RunFacts } from "./run_facts.ts";

/** The list of datasets. */
export const DatasetsPage: FC<{
  page: PageContext;
  datasets: DatasetManifest[];
  query: string;
}> = ({ page, datasets, query }) => {
  const wanted = query.toLowerCase();
  const shown = datasets
    .filter((d) => `${d.name} ${d.env} ${d.tier ?? ""} ${d.source}`.toLowerCase().includes(wanted))
    .reverse();
  return (
    <Layout page={page} title="Datasets" section="datasets">
      <h1>Datasets</h1>
      <form method="get" action="/datasets" class="filters">
        <label>
          name, env or tier <input name="q" value={query} size={24} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {shown.length === 0
        ? (
          <p class="empty">
            No datasets{query ? " match" : " yet: generate or import one (see the README)"}.
          </p>
        )
        : (
          <table class="datasets">
            <thead>
              <tr>
                <th>name</th>
                <th>env</th>
                <th>tier</th>
                <th>source</th>
                <th class="num">episodes</th>
                <th class="num">transitions</th>
                <th>created</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <tr data-dataset={d.id}>
                  <td>
                    <a href={`/datasets/${encodeURIComponent(d.id)}`}>{d.name}</a>
                  </td>
                  <td>{d.env}</td>
                  <td>{d.tier ?? "-"}</td>
                  <td>{d.source}</td>
                  <td class="num">{d.episodes}</td>
                  <td class="num">{d.transitions}</td>
                  <td>{d.createdAt.replace("T", " ").slice(0, 19)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
    </Layout>
  );
};

/** The episode return histogram as bars, drawn on the server (no script needed). */
export const ReturnHistogram: FC<{ edges: number[]; counts: number[] }> = ({ edges, counts }) => {
  const width = 560, height = 180, pad = 28;
  const top = Math.max(1, ...counts);
  const barWidth = (width - 2 * pad) / Math.max(1, counts.length);
  return (
    <svg
      class="histogram"
      viewBox={`0 0 ${width} ${height + 2 * pad}`}
      role="img"
      aria-label="episode return histogram"
    >
      {counts.map((count, i) => {
        const h = (count / top) * height;
        return (
          <rect
            x={pad + i * barWidth + 1}
            y={pad + height - h}
            width={Math.max(1, barWidth - 2)}
            height={h}
            data-count={count}
          >
            <title>
              {formatNumber(edges[i], 2)} to {formatNumber(edges[i + 1], 2)}: {count} episodes
            </title>
          </rect>
        );
      })}
      <text x={pad} y={height + 2 * pad - 6}>{formatNumber(edges[0], 1)}</text>
      <text x={width - pad} y={height + 2 * pad - 6} text-anchor="end">
        {formatNumber(edges.at(-1), 1)}
      </text>
      <text x={pad} y={pad - 8}>tallest bar: {top} episodes</text>
    </svg>
  );
};

const Row: FC<{ label: string; value: string | number }> = ({ label, value }) => (
  <>
    <dt>{label}</dt>
    <dd>{value}</dd>
  </>
);

/** One dataset. */
export const DatasetPage: FC<{
  page: PageContext;
  manifest: DatasetManifest;
  stats: DatasetStats;
  runs: RunFacts[];
}> = ({ page, manifest, stats, runs }) => {
  const ret = stats.episodeReturn;
  const behaviour = manifest.behaviour;
  return (
    <Layout page={page} title={manifest.name} section="datasets">
      <div id="dataset" data-dataset={manifest.id}>
        <h1>{manifest.name}</h1>
        <p class="meta">id {manifest.id} · content hash {manifest.contentHash.slice(0, 16)}</p>
        <div class="columns">
          <section>
            <h2>Manifest</h2>
            <dl>
              <Row label="environment" value={manifest.env} />
              <Row label="tier" value={manifest.tier ?? "-"} />
              <Row label="source" value={manifest.source} />
              <Row label="agents" value={manifest.spec.nAgents} />
              <Row label="observation" value={`${manifest.spec.obsDim} per agent`} />
              <Row label="state" value={manifest.spec.stateDim} />
              <Row label="action" value={`${manifest.spec.actDim} ${manifest.spec.actionKind}`} />
              <Row label="created" value={manifest.createdAt} />
            </dl>
          </section>
          <section>
            <h2>Statistics</h2>
            <dl>
              <Row label="episodes" value={stats.episodes} />
              <Row label="transitions" value={stats.transitions} />
              <Row label="ended by a terminal" value={stats.terminalEpisodes} />
              <Row
                label="episode return"
                value={`${formatNumber(ret.mean, 2)} ± ${formatNumber(ret.std, 2)} (min ${
                  formatNumber(ret.min, 2)
                }, median ${formatNumber(ret.median, 2)}, max ${formatNumber(ret.max, 2)})`}
              />
              <Row
                label="episode length"
                value={`${
                  formatNumber(stats.episodeLength.mean, 1)
                } (${stats.episodeLength.min}-${stats.episodeLength.max})`}
              />
              <Row
                label="reward per step"
                value={`${formatNumber(stats.reward.mean, 3)} (${
                  formatNumber(stats.reward.min, 3)
                } to ${formatNumber(stats.reward.max, 3)})`}
              />
            </dl>
          </section>
        </div>
        <section>
          <h2>Episode returns</h2>
          <ReturnHistogram
            edges={stats.returnHistogram.edges}
            counts={stats.returnHistogram.counts}
          />
        </section>
        <section>
          <h2>Lineage</h2>
          <ul class="lineage">
            {(manifest.lineage ?? []).map((step) => (
              <li>
                filtered from{" "}
                <a href={`/datasets/${encodeURIComponent(step.parent)}`}>
                  {step.parent}
                </a>{" "}
                by <code>{step.filter}</code>
              </li>
            ))}
            {behaviour === undefined ? null : (
              <li>
                recorded from the {behaviour.algorithm} behaviour policy of run{" "}
                <a href={`/runs/${behaviour.run}`}>{behaviour.run.slice(0, 8)}</a>
                {behaviour.step === undefined ? null : <>at step {behaviour.step}</>}
              </li>
            )}
            <li>source: {manifest.source}</li>
          </ul>
        </section>
        <section>
          <h2>Runs on this dataset</h2>
          {runs.length === 0 ? <p class="empty">None among the newest runs.</p> : (
            <ul>
              {runs.map((run) => (
                <li>
                  <a href={`/runs/${run.id}`}>{run.shortId}</a> {run.workflow} {run.algorithm ?? ""}
                  {" "}
                  {run.state} score {formatNumber(run.score)}
                </li>
              ))}
            </ul>
          )}
        </section>
        <section>
          <h2>Filter into a new dataset</h2>
          <form id="filter-form" class="filters" data-dataset={manifest.id}>
            <label>
              keep{" "}
              <input
                name="filter"
                required
                placeholder="top 30%"
                title='"top N", "top P%", "bottom N", "first N", "last N", "return >= X", "length < N"'
              />
            </label>
            <label>
              name <input name="name" placeholder={`${manifest.name}-top30`} />
            </label>
            <button type="submit">Store</button>
            <output class="form-result"></output>
          </form>
        </section>
      </div>
    </Layout>
  );
};
