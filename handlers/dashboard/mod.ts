/**
 * The dashboard: server-rendered pages (Hono JSX) over the same store the `/v1` API reads, a
 * small script of our own for what changes while one watches (event streams, charts drawn with
 * uPlot, table refreshes, the cancel, resume and filter buttons, which call the `/v1` API), and
 * the login form. No build step and nothing from a CDN: every script is served from `/assets/`.
 * See docs/dashboard.md.
 *
 * @module
 */
export { addDashboardRoutes, type DashboardOptions, safeNext } from "./routes.tsx";
export { addAssetRoutes, ASSETS, packageRoot } from "./assets.ts";
export { type RunFacts, runFacts } from "./run_facts.ts";
