/**
 * The dashboard in a real browser (headless Chromium through playwright-core) against a real
 * server: sign in, see a run appear, watch its chart gain points while it trains, cancel it,
 * open a dataset. Screenshots go to `$OMIGA_SCREENSHOTS` when it is set.
 */
import type { Page } from "playwright-core";
import { assert, assertEquals } from "../assert.ts";
import { browserUnavailable, launchBrowser } from "../browser.ts";
import { startServer } from "../../handlers/server.ts";

const TOKEN = "browser-test-token";
const auth = { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" };

async function post(url: string, body: unknown): Promise<{ id: string }> {
  const response = await fetch(url, { method: "POST", headers: auth, body: JSON.stringify(body) });
  const json = await response.json();
  assert(response.ok, JSON.stringify(json));
  return json;
}

/** The number of points a chart of the page has drawn (`data-points` of its figure). */
const pointsOf = (page: Page, chart: string) =>
  page.$eval(`figure[data-chart="${chart}"]`, (figure) => Number(figure.dataset.points ?? 0));

async function screenshot(page: Page, name: string): Promise<void> {
  const folder = Deno.env.get("OMIGA_SCREENSHOTS");
  if (folder !== undefined) {
    await page.screenshot({ path: `${folder}/${name}.png`, fullPage: true });
  }
}

Deno.test({
  name:
    "in Chromium: sign in, see a run appear, watch its chart grow while it trains, cancel it, open its dataset and the API reference",
  ignore: browserUnavailable(),
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const home = await Deno.makeTempDir({ prefix: "omiga-dashboard-" });
    const server = startServer({
      home,
      token: TOKEN,
      port: 0,
      hostname: "127.0.0.1",
      engine: { leaseMs: 5_000, heartbeatMs: 100, pollMs: 50 },
    });
    const browser = await launchBrowser();
    try {
      const base = server.url;
      const dataset = await post(`${base}/v1/datasets/generate`, {
        env: "spread",
        tier: "medium",
        episodes: 8,
        seed: 4,
        referenceEpisodes: 2,
      });
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const problems: string[] = [];
      page.on("pageerror", (error) => problems.push(`page error: ${error.stack}`));
      page.on("request", (request) => {
        if (!request.url().startsWith(base)) problems.push(`request to ${request.url()}`);
      });

      await page.goto(`${base}/`);
      assert(page.url().includes("/login"), `signed out, the browser is sent to the login form`);
      await page.fill("input[name=token]", "wrong");
      await page.click("button[type=submit]");
      await page.waitForSelector("p.error");
      await page.fill("input[name=token]", TOKEN);
      await page.click("button[type=submit]");
      await page.waitForSelector("h1:text('Runs')");
      const cookies = await page.context().cookies();
      const session = cookies.find((cookie) => cookie.name === "omiga_session");
      assert(session?.httpOnly && session.sameSite === "Strict", JSON.stringify(cookies));

      const run = await post(`${base}/v1/runs`, {
        workflow: "train-evaluate",
        params: {
          dataset: dataset.id,
          iterations: 200_000,
          evalEvery: 100_000,
          checkpointEvery: 1_000,
          hiddenSize: 16,
          batchSize: 16,
          evalEpisodes: 2,
          backend: "cpu",
        },
      });
      // The runs table refreshes itself: the run appears without a reload.
      await page.waitForSelector(`tr[data-run="${run.id}"]`, { timeout: 20_000 });
      await screenshot(page, "runs");

      await page.click(`tr[data-run="${run.id}"] a.run-id`);
      await page.waitForSelector(`#run[data-run="${run.id}"]`);
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('figure[data-chart="losses"]')?.getAttribute("data-points") ?? 0,
          ) > 0,
        undefined,
        { timeout: 60_000 },
      );
      const before = await pointsOf(page, "losses");
      await page.waitForFunction(
        (seen) =>
          Number(
            document.querySelector('figure[data-chart="losses"]')?.getAttribute("data-points") ?? 0,
          ) > seen,
        before,
        { timeout: 60_000 },
      );
      assert((await pointsOf(page, "losses")) > before, "the chart gains points while training");
      assert((await pointsOf(page, "weightEss")) > 0, "the weight ESS is charted");
      const progress = await page.textContent("#progress");
      assert(progress?.includes("iteration/s"), `live progress: ${progress}`);
      await screenshot(page, "run-training");

      await page.click("button[data-action=cancel]");
      await page.waitForSelector('#run[data-state="cancelled"]', { timeout: 20_000 });
      const runState = await (await fetch(`${base}/v1/runs/${run.id}`, { headers: auth })).json();
      assertEquals(runState.state, "cancelled");
      // The training step stops at its next check; the timeline shows it without a reload.
      await page.waitForSelector('#steps tr[data-step="train"] [data-state="cancelled"]', {
        timeout: 30_000,
      });
      assertEquals(await page.textContent("#progress"), "", "no progress left on a cancelled run");
      await screenshot(page, "run-cancelled");

      // Compare takes the short id; the run's curves are drawn from its (replayed) events.
      await page.goto(`${base}/compare?runs=${run.id.slice(0, 8)}`);
      await page.waitForFunction(
        () =>
          Number(
            document.querySelector('figure[data-chart="policy"]')?.getAttribute("data-points") ??
              0,
          ) > 0,
        undefined,
        { timeout: 20_000 },
      );
      assert((await page.textContent("table.compare"))?.includes("cancelled"));
      await screenshot(page, "compare");

      await page.click("nav a:text('Datasets')");
      await page.click(`a[href="/datasets/${dataset.id}"]`);
      await page.waitForSelector("svg.histogram rect");
      assert((await page.$$("svg.histogram rect")).length > 0);
      assert((await page.textContent("#dataset"))?.includes(run.id.slice(0, 8)), "its runs");
      await screenshot(page, "dataset");

      // The API reference renders from this server alone (the request listener above fails
      // the test on any request elsewhere).
      await page.click("nav a:text('API')");
      await page.waitForFunction(() => document.body.innerText.includes("/v1/runs"), undefined, {
        timeout: 30_000,
      });
      await screenshot(page, "docs");
      assertEquals(problems, []);
    } finally {
      await browser.close();
      await server.stop();
      await Deno.remove(home, { recursive: true });
    }
  },
});
