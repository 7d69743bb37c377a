/**
 * The frame every dashboard page shares (navigation, the CSRF token the page's script sends,
 * the style sheet and scripts from `/assets/`), and small pieces the pages reuse.
 *
 * @module
 */
import type { Child, FC } from "hono/jsx";
import { formatDuration, formatTime } from "../../core/format.ts";
import { CSRF_FIELD } from "../auth/session.ts";
import type { RunFacts } from "./run_facts.ts";

/** What every page knows about the request it answers. */
export interface PageContext {
  /** The CSRF token of this session (the page's script sends it on every write). */
  csrf: string;
  /** Whether the server has a token (so there is a session to sign out of). */
  signedIn: boolean;
}

const NAV = [
  ["runs", "/", "Runs"],
  ["datasets", "/datasets", "Datasets"],
  ["policies", "/policies", "Policies"],
  ["compare", "/compare", "Compare"],
  ["docs", "/docs", "API"],
] as const;

/** The page frame. */
export const Layout: FC<{
  page: PageContext;
  title: string;
  section: (typeof NAV)[number][0] | "login";
  children?: Child;
}> = ({ page, title, section, children }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <meta name="csrf-token" content={page.csrf} />
      <title>{title} · omiga-flow</title>
      <link rel="stylesheet" href="/assets/uplot.css" />
      <link rel="stylesheet" href="/assets/dashboard.css" />
      <script src="/assets/uplot.js" defer></script>
      <script src="/assets/dashboard.js" type="module"></script>
    </head>
    <body>
      <header class="top">
        <a class="brand" href="/">omiga-flow</a>
        {section === "login" ? null : (
          <nav>
            {NAV.map(([key, href, label]) => (
              <a href={href} class={key === section ? "active" : undefined}>{label}</a>
            ))}
          </nav>
        )}
        {page.signedIn && section !== "login"
          ? (
            <form method="post" action="/logout" class="logout">
              <input type="hidden" name={CSRF_FIELD} value={page.csrf} />
              <button type="submit">Sign out</button>
            </form>
          )
          : null}
      </header>
      <main>{children}</main>
    </body>
  </html>
);

/** A run or step state as a coloured label. */
export const StateBadge: FC<{ state: string }> = ({ state }) => (
  <span class={`state state-${state}`} data-state={state}>{state}</span>
);

/** A number with `digits` decimals, or a dash. */
export function formatNumber(value: number | undefined | null, digits = 1): string {
  return value === undefined || value === null || !Number.isFinite(value)
    ? "-"
    : value.toFixed(digits);
}

/** A duration in ms, or a dash. */
export function formatMs(ms: number | undefined | null): string {
  return ms === undefined || ms === null ? "-" : formatDuration(ms / 1000);
}

export { formatTime };

/** The headings of {@link RunFactCells}, in its order. */
export const RunFactHeadings: FC = () => (
  <>
    <th>run</th>
    <th>workflow</th>
    <th>state</th>
    <th>dataset</th>
    <th>algorithm</th>
    <th class="num">alpha</th>
    <th class="num">score</th>
  </>
);

/** The cells every run table starts with: link, workflow, state, dataset, algorithm, alpha, score. */
export const RunFactCells: FC<{ run: RunFacts }> = ({ run }) => (
  <>
    <td>
      <a href={`/runs/${run.id}`} class="run-id">{run.shortId}</a>
    </td>
    <td>{run.workflow}</td>
    <td>
      <StateBadge state={run.state} />
    </td>
    <td>{run.dataset ?? "-"}</td>
    <td>{run.algorithm ?? "-"}</td>
    <td class="num">{run.alpha === undefined ? "-" : String(run.alpha)}</td>
    <td class="num">{formatNumber(run.score)}</td>
  </>
);

/**
 * Empty chart figures (`data-chart` = name) that the page's script fills from event streams;
 * each says "No points yet." until it has some.
 */
export const ChartGrid: FC<{ charts: [name: string, title: string][] }> = ({ charts }) => (
  <section class="charts">
    {charts.map(([name, title]) => (
      <figure class="chart" data-chart={name}>
        <figcaption>{title}</figcaption>
        <div class="plot"></div>
        <p class="no-data">No points yet.</p>
      </figure>
    ))}
  </section>
);
