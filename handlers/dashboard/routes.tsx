/**
 * The dashboard's routes: the pages, their refresh fragments, the login form.
 *
 * @module
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { OmigaError } from "../../core/errors.ts";
import { datasetStats, getManifest, listDatasets } from "../../data/mod.ts";
import { runArtifactsDir } from "../../workflows/mod.ts";
import { tokenMatches } from "../auth/mod.ts";
import { SESSION_COOKIE, SESSION_MAX_AGE_S, type SessionSecrets } from "../auth/session.ts";
import { statusOf } from "../errors/mod.ts";
import { listArtifacts } from "../runs/artifact_files.ts";
import type { ApiServices } from "../services.ts";
import { comparedIds, ComparePage, MAX_COMPARED } from "./compare_page.tsx";
import { DatasetPage, DatasetsPage } from "./datasets_page.tsx";
import { Layout, type PageContext } from "./layout.tsx";
import { LoginPage } from "./login_page.tsx";
import { PoliciesPage, PolicyPage } from "./policies_page.tsx";
import { RunPage, StepsTimeline, SweepCells } from "./run_page.tsx";
import { pick, runFacts } from "./run_facts.ts";
import { findRuns, runFilterOf, RunsTable } from "./runs_page.tsx";
import { RunsPage } from "./runs_page.tsx";

/** What the dashboard needs besides the API's services. */
export interface DashboardOptions {
  /** The API token; none means no sign-in (loopback only). */
  token?: string;
  /** Session and CSRF values of the token. */
  secrets: SessionSecrets;
}

/** Bins of a dataset page's return histogram. */
const HISTOGRAM_BINS = 20;
/** How many of the newest runs a dataset page looks through for runs on it. */
const RUNS_PER_DATASET_SCAN = 500;

/** Where the login form may send the user back to: a path on this server, nothing else. */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/(?![/\\])/.test(next) ? next : "/";
}

/** A page that failed: the error's status, and its message in the page frame. */
function errorPage(
  c: Context,
  page: PageContext,
  error: unknown,
): Response | Promise<Response> {
  if (!(error instanceof OmigaError)) throw error;
  const status = statusOf(error.code);
  return c.html(
    <Layout page={page} title="Not available" section="runs">
      <h1>{status === 404 ? "Not found" : "Not available"}</h1>
      <p class="error">{error.message}</p>
      <p>
        <a href="/">Back to the runs</a>
      </p>
    </Layout>,
    status,
  );
}

/**
 * Adds the dashboard's pages and the login form to `app` (`/`, `/runs/:id`, `/datasets`,
 * `/datasets/:id`, `/policies`, `/policies/:name`, `/compare`, `/login`, `/logout`); the assets are added by the app itself,
 * since `/docs` needs them too.
 */
export function addDashboardRoutes(
  app: OpenAPIHono,
  services: ApiServices,
  options: DashboardOptions,
): void {
  const { engine, home } = services;
  const page: PageContext = { csrf: options.secrets.csrf, signedIn: options.token !== undefined };
  const expected = options.token === undefined
    ? undefined
    : new TextEncoder().encode(options.token);

  app.get("/", (c) => {
    const filter = runFilterOf(new URL(c.req.url).searchParams);
    const { rows, next } = findRuns(engine.store, filter);
    if (c.req.query("fragment") === "table") {
      return c.html(<RunsTable rows={rows} next={next} filter={filter} />);
    }
    const workflows = engine.registry.names();
    return c.html(
      <RunsPage page={page} workflows={workflows} filter={filter} rows={rows} next={next} />,
    );
  });

  app.get("/runs/:id", async (c) => {
    try {
      const id = engine.store.runs.resolveId(c.req.param("id"));
      const url = new URL(c.req.url);
      if (id !== c.req.param("id")) return c.redirect(`/runs/${id}${url.search}`, 302);
      const run = engine.store.runs.get(id);
      const steps = engine.store.runs.steps(id);
      const now = Date.now();
      const fragment = c.req.query("fragment");
      if (fragment === "steps") return c.html(<StepsTimeline run={run} steps={steps} now={now} />);
      if (fragment === "cells") return c.html(<SweepCells run={run} steps={steps} />);
      const step = c.req.query("step");
      const known = step !== undefined && steps.some((s) => s.stepId === step);
      const artifacts = await listArtifacts(runArtifactsDir(home, id));
      return c.html(
        <RunPage
          page={page}
          run={run}
          steps={steps}
          artifacts={artifacts}
          step={known ? step : undefined}
          now={now}
        />,
      );
    } catch (error) {
      return errorPage(c, page, error);
    }
  });

  app.get("/datasets", async (c) => {
    const query = (c.req.query("q") ?? "").trim().slice(0, 100);
    return c.html(
      <DatasetsPage page={page} datasets={await listDatasets({ home })} query={query} />,
    );
  });

  app.get("/datasets/:id", async (c) => {
    try {
      const manifest = await getManifest(c.req.param("id"), { home });
      const stats = await datasetStats(manifest.id, { home, bins: HISTOGRAM_BINS });
      const runs = engine.store.runs.list({ limit: RUNS_PER_DATASET_SCAN })
        .filter((run) =>
          pick(run.output, "dataset", "id") === manifest.id ||
          pick(run.params, "dataset") === manifest.id ||
          pick(run.params, "dataset") === manifest.name
        )
        .map((run) => runFacts(run));
      return c.html(<DatasetPage page={page} manifest={manifest} stats={stats} runs={runs} />);
    } catch (error) {
      return errorPage(c, page, error);
    }
  });

  app.get("/policies", (c) => {
    return c.html(<PoliciesPage page={page} policies={engine.store.policies.list()} />);
  });

  app.get("/policies/:name", (c) => {
    try {
      const policies = engine.store.policies;
      const policy = policies.get(c.req.param("name"));
      return c.html(
        <PolicyPage
          page={page}
          policy={policy}
          versions={policies.versions(policy.name)}
          events={policies.events(policy.name)}
        />,
      );
    } catch (error) {
      return errorPage(c, page, error);
    }
  });

  app.get("/compare", (c) => {
    const ids = comparedIds(new URL(c.req.url).searchParams);
    const problems: string[] = [];
    if (ids.length > MAX_COMPARED) {
      problems.push(`showing the first ${MAX_COMPARED} of ${ids.length} runs`);
    }
    const runs = ids.slice(0, MAX_COMPARED).flatMap((id) => {
      try {
        const record = engine.store.runs.get(engine.store.runs.resolveId(id));
        return [{ record, facts: runFacts(record) }];
      } catch (error) {
        if (!(error instanceof OmigaError)) throw error;
        problems.push(error.message);
        return [];
      }
    });
    return c.html(<ComparePage page={page} runs={runs} problems={problems} />);
  });

  app.get("/login", (c) => {
    if (expected === undefined) return c.redirect("/", 303);
    return c.html(<LoginPage page={page} next={safeNext(c.req.query("next"))} />);
  });

  app.post("/login", async (c) => {
    if (expected === undefined) return c.redirect("/", 303);
    const form = await c.req.parseBody();
    const next = safeNext(typeof form.next === "string" ? form.next : undefined);
    const token = typeof form.token === "string" ? form.token : "";
    if (!tokenMatches(expected, token)) {
      return c.html(<LoginPage page={page} next={next} problem="That token is not right." />, 401);
    }
    setCookie(c, SESSION_COOKIE, options.secrets.session, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: SESSION_MAX_AGE_S,
      secure: new URL(c.req.url).protocol === "https:",
    });
    return c.redirect(next, 303);
  });

  app.post("/logout", (c) => {
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.redirect("/login", 303);
  });
}
