/**
 * The policies pages: every registered policy (`/policies`) and one policy (`/policies/:name`):
 * its versions' scores over time as a chart (drawn on the server), which version is `latest`,
 * each version's metrics, lineage and gate decision, and every change of `latest`.
 *
 * @module
 */
import type { FC } from "hono/jsx";
import type {
  PolicyEvent,
  PolicyRecord,
  PolicyVersionRecord,
} from "../../workflows/store/policy_store.ts";
import { formatNumber, formatTime, Layout, type PageContext } from "./layout.tsx";

/** The list of policies. */
export const PoliciesPage: FC<{ page: PageContext; policies: PolicyRecord[] }> = (
  { page, policies },
) => (
  <Layout page={page} title="Policies" section="policies">
    <h1>Policies</h1>
    {policies.length === 0
      ? (
        <p class="empty">
          No policies yet: a train-evaluate run with --policy-name, or one a schedule submits,
          registers its policy when it succeeds.
        </p>
      )
      : (
        <table class="policies">
          <thead>
            <tr>
              <th>name</th>
              <th class="num">latest</th>
              <th class="num">versions</th>
              <th>updated</th>
            </tr>
          </thead>
          <tbody>
            {policies.map((policy) => (
              <tr data-policy={policy.name}>
                <td>
                  <a href={`/policies/${encodeURIComponent(policy.name)}`}>{policy.name}</a>
                </td>
                <td class="num">{policy.latestVersion ?? "-"}</td>
                <td class="num">{policy.versions}</td>
                <td>{formatTime(policy.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
  </Layout>
);

/**
 * Each version's score against its registration time, `latest` ringed; a line joins the
 * versions in order. Drawn as SVG on the server.
 */
export const ScoreChart: FC<{ versions: PolicyVersionRecord[] }> = ({ versions }) => {
  const scored = versions.filter((v) => typeof v.metrics.score === "number");
  if (scored.length === 0) return <p class="empty">No version has an evaluation score.</p>;
  const width = 560, height = 180, pad = 36;
  const scores = scored.map((v) => v.metrics.score!);
  const low = Math.min(...scores), high = Math.max(...scores);
  const span = high - low || Math.abs(high) * 0.1 || 1;
  const x = (i: number) =>
    pad + (scored.length === 1 ? 0.5 : i / (scored.length - 1)) *
      (width - 2 * pad);
  const y = (score: number) => pad + (1 - (score - low + span * 0.05) / (span * 1.1)) * height;
  const path = scored.map((v, i) => `${i === 0 ? "M" : "L"}${x(i)},${y(v.metrics.score!)}`)
    .join(" ");
  return (
    <svg
      class="score-chart"
      viewBox={`0 0 ${width} ${height + 2 * pad}`}
      role="img"
      aria-label="score per version"
    >
      <path d={path} fill="none" stroke="#4269d0" stroke-width="1.5" />
      {scored.map((v, i) => (
        <circle
          cx={x(i)}
          cy={y(v.metrics.score!)}
          r={v.latest ? 6 : 3.5}
          class={v.latest ? "latest" : v.decision.promoted ? "promoted" : "candidate"}
          data-version={v.version}
        >
          <title>
            v{v.version}: {formatNumber(v.metrics.score, 2)} ({v.metrics.scoreKind ?? "score"}),
            {" "}
            {formatTime(v.createdAt)}
          </title>
        </circle>
      ))}
      {scored.map((v, i) => (
        <text x={x(i)} y={height + 2 * pad - 8} text-anchor="middle">v{v.version}</text>
      ))}
      <text x={4} y={pad - 12}>{formatNumber(high, 1)}</text>
      <text x={4} y={height + pad}>{formatNumber(low, 1)}</text>
    </svg>
  );
};

/** One policy: its versions and the changes of latest. */
export const PolicyPage: FC<{
  page: PageContext;
  policy: PolicyRecord;
  versions: PolicyVersionRecord[];
  events: PolicyEvent[];
}> = ({ page, policy, versions, events }) => (
  <Layout page={page} title={`Policy ${policy.name}`} section="policies">
    <div id="policy" data-policy={policy.name}>
      <h1>{policy.name}</h1>
      <p class="meta">
        latest v{policy.latestVersion ?? "-"} · {policy.versions} versions · act with{" "}
        <code>POST /v1/policies/{policy.name}/act</code>
      </p>
      <section>
        <h2>Score per version</h2>
        <ScoreChart versions={versions} />
      </section>
      <section>
        <h2>Versions</h2>
        <table class="versions">
          <thead>
            <tr>
              <th class="num">version</th>
              <th></th>
              <th class="num">score</th>
              <th class="num">return</th>
              <th class="num">weight ESS</th>
              <th>dataset</th>
              <th>algorithm</th>
              <th>run</th>
              <th>gate</th>
              <th>registered</th>
            </tr>
          </thead>
          <tbody>
            {[...versions].reverse().map((v) => (
              <tr data-version={v.version}>
                <td class="num">v{v.version}</td>
                <td>{v.latest ? <span class="state state-succeeded">latest</span> : null}</td>
                <td class="num">{formatNumber(v.metrics.score, 1)}</td>
                <td class="num">{formatNumber(v.metrics.teamReturn, 2)}</td>
                <td class="num">{formatNumber(v.metrics.weightEss, 3)}</td>
                <td>
                  <a href={`/datasets/${encodeURIComponent(v.lineage.datasetId)}`}>
                    {v.lineage.datasetName}
                  </a>
                </td>
                <td>{v.lineage.algorithm}</td>
                <td>
                  <a href={`/runs/${v.runId}`} class="run-id">{v.runId.slice(0, 8)}</a>
                </td>
                <td>{v.decision.reason}</td>
                <td>{formatTime(v.createdAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section>
        <h2>Changes of latest</h2>
        {events.length === 0 ? <p class="empty">None yet.</p> : (
          <ul class="policy-events">
            {[...events].reverse().map((event) => (
              <li>
                {formatTime(event.time)}: {event.type === "promoted" ? "promoted" : "rolled back"}
                {" "}
                v{event.fromVersion ?? "-"} → v{event.toVersion} ({event.reason})
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  </Layout>
);
