/**
 * The dashboard over `app.request()`: sign-in and the session cookie, CSRF and cross-site
 * refusals, the pages and their fragments, assets served without a CDN.
 */
import { assert, assertEquals } from "../assert.ts";
import { safeNext } from "../../handlers/dashboard/mod.ts";
import { CSRF_HEADER, SESSION_COOKIE, sessionSecrets } from "../../handlers/auth/session.ts";
import { openTestApp, QUICK_CHAIN, TOKEN } from "./test_app.ts";

const form = (fields: Record<string, string>) => ({
  method: "POST",
  headers: { "Content-Type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** Signs in through the form and returns the `Cookie` header the browser would send. */
async function signIn(app: ReturnType<typeof openTestApp>["app"]): Promise<string> {
  const response = await app.request("/login", form({ token: TOKEN, next: "/datasets" }));
  assertEquals([response.status, response.headers.get("location")], [303, "/datasets"]);
  const cookie = response.headers.get("set-cookie") ?? "";
  assert(/HttpOnly/i.test(cookie) && /SameSite=Strict/i.test(cookie), cookie);
  assert(!cookie.includes(TOKEN), "the cookie never holds the token itself");
  return cookie.split(";")[0];
}

Deno.test("pages send a signed-out browser to the login form, which sets the session cookie", async () => {
  using t = openTestApp();
  const page = await t.app.request("/runs/abc?step=x");
  assertEquals(page.status, 303);
  assertEquals(page.headers.get("location"), "/login?next=%2Fruns%2Fabc%3Fstep%3Dx");
  const api = await t.app.request("/v1/runs");
  assertEquals(api.status, 401); // the API still answers in JSON
  const login = await t.app.request("/login?next=/runs");
  assert((await login.text()).includes('name="token"'));

  const wrong = await t.app.request("/login", form({ token: "nope", next: "/" }));
  assertEquals(wrong.status, 401);
  assert((await wrong.text()).includes("not right"));
  assertEquals(wrong.headers.get("set-cookie"), null);

  const cookie = await signIn(t.app);
  const runs = await t.app.request("/", { headers: { Cookie: cookie } });
  assertEquals(runs.status, 200);
  assert((await runs.text()).includes("<h1>Runs</h1>"));
  const listed = await t.app.request("/v1/runs", { headers: { Cookie: cookie } });
  assertEquals(listed.status, 200);
  const forged = await t.app.request("/", { headers: { Cookie: `${SESSION_COOKIE}=forged` } });
  assertEquals(forged.status, 303);
  const out = await t.app.request("/logout", {
    ...form({ _csrf: sessionSecrets(TOKEN).csrf }),
    headers: { Cookie: cookie, "Content-Type": "application/x-www-form-urlencoded" },
  });
  assertEquals(out.status, 303);
  assert(/Max-Age=0/i.test(out.headers.get("set-cookie") ?? ""), "the cookie is cleared");
});

Deno.test("a cookie-authenticated write needs the CSRF token, and a cross-site one is refused", async () => {
  using t = openTestApp();
  const cookie = await signIn(t.app);
  const body = JSON.stringify({ workflow: "hash-chain", params: QUICK_CHAIN });
  const json = { Cookie: cookie, "Content-Type": "application/json" };
  const without = await t.app.request("/v1/runs", { method: "POST", headers: json, body });
  assertEquals(without.status, 403);
  assert((await without.json()).error.message.includes("CSRF"));
  const wrong = await t.app.request("/v1/runs", {
    method: "POST",
    headers: { ...json, [CSRF_HEADER]: "guess" },
    body,
  });
  assertEquals(wrong.status, 403);
  const csrf = sessionSecrets(TOKEN).csrf;
  const good = await t.app.request("/v1/runs", {
    method: "POST",
    headers: { ...json, [CSRF_HEADER]: csrf },
    body,
  });
  assertEquals(good.status, 201);
  const crossSite = await t.app.request("http://localhost/v1/runs", {
    method: "POST",
    headers: { ...json, [CSRF_HEADER]: csrf, Origin: "https://evil.example" },
    body,
  });
  assertEquals(crossSite.status, 403);
  assert((await crossSite.json()).error.message.includes("evil.example"));
  const sameOrigin = await t.app.request("http://localhost/v1/runs", {
    method: "POST",
    headers: { ...json, [CSRF_HEADER]: csrf, Origin: "http://localhost" },
    body,
  });
  assertEquals(sameOrigin.status, 201);
  // A bearer token is not ambient: a script that has it needs no CSRF token.
  const bearer = await t.call("/v1/runs", {
    method: "POST",
    json: { workflow: "hash-chain", params: QUICK_CHAIN },
  });
  assertEquals(bearer.status, 201);
  assertEquals(t.store.runs.list().length, 3);
});

Deno.test("the login form only sends the user back to a path on this server", () => {
  assertEquals(safeNext("/runs/abc?step=cell%2Fx"), "/runs/abc?step=cell%2Fx");
  for (const hostile of ["//evil.example", "https://evil.example", "/\\evil.example", "", "x"]) {
    assertEquals(safeNext(hostile), "/", hostile);
  }
  assertEquals(safeNext(undefined), "/");
});

Deno.test("the runs page lists runs newest first with their facts, filters them and refreshes as a fragment", async () => {
  using t = openTestApp();
  const cookie = await signIn(t.app);
  const first = t.engine.submit("hash-chain", QUICK_CHAIN).run;
  await t.engine.execute(first.id);
  const second = t.engine.submit("hash-chain", { ...QUICK_CHAIN, iterations: 7 }).run;
  const get = async (path: string) =>
    await (await t.app.request(path, { headers: { Cookie: cookie } })).text();
  const page = await get("/");
  const order = [second.id, first.id].map((id) => page.indexOf(`data-run="${id}"`));
  assert(order[0] > 0 && order[0] < order[1], "newest first");
  assert(page.includes(first.id.slice(0, 8)), "short ids");
  const succeeded = await get("/?state=succeeded");
  assert(succeeded.includes(first.id) && !succeeded.includes(second.id));
  const fragment = await get("/?fragment=table&state=queued");
  assert(fragment.startsWith('<div id="runs-table"'), fragment.slice(0, 80));
  assert(fragment.includes(second.id) && !fragment.includes("<html"));
});

Deno.test("a run's page shows its steps and state, takes a short id, and a missing run is a 404 page", async () => {
  using t = openTestApp();
  const cookie = await signIn(t.app);
  const run = t.engine.submit("hash-chain", QUICK_CHAIN).run;
  await t.engine.execute(run.id);
  const short = await t.app.request(`/runs/${run.id.slice(0, 6)}`, { headers: { Cookie: cookie } });
  assertEquals([short.status, short.headers.get("location")], [302, `/runs/${run.id}`]);
  const page = await t.app.request(`/runs/${run.id}`, { headers: { Cookie: cookie } });
  const html = await page.text();
  assert(html.includes(`data-run="${run.id}"`) && html.includes('data-state="succeeded"'));
  for (const step of t.store.runs.steps(run.id)) {
    assert(html.includes(`data-step="${step.stepId}"`), step.stepId);
  }
  assert(!html.includes('data-action="cancel"'), "no cancel button on a finished run");
  const steps = await t.app.request(`/runs/${run.id}?fragment=steps`, {
    headers: { Cookie: cookie },
  });
  assert((await steps.text()).startsWith('<div id="steps"'));
  const missing = await t.app.request("/runs/ffffffff-0000", { headers: { Cookie: cookie } });
  assertEquals(missing.status, 404);
  assert((await missing.text()).includes("no run with id"));
});

Deno.test("a dataset's page shows its manifest, a bar per histogram bin and its runs", async () => {
  using t = openTestApp();
  const cookie = await signIn(t.app);
  const generated = await t.call("/v1/datasets/generate", {
    method: "POST",
    json: { env: "spread", tier: "medium", episodes: 6, seed: 3, referenceEpisodes: 2 },
  });
  const manifest = await generated.json();
  const list = await t.app.request("/datasets?q=spread", { headers: { Cookie: cookie } });
  assert((await list.text()).includes(`/datasets/${manifest.id}`));
  const none = await t.app.request("/datasets?q=no-such", { headers: { Cookie: cookie } });
  assert(!(await none.text()).includes(`/datasets/${manifest.id}`));
  const page = await t.app.request(`/datasets/${manifest.id}`, { headers: { Cookie: cookie } });
  const html = await page.text();
  assertEquals(page.status, 200);
  assert(html.includes(manifest.contentHash.slice(0, 16)));
  assertEquals(html.match(/<rect /g)?.length, 20, "one bar per bin");
  const counts = [...html.matchAll(/data-count="(\d+)"/g)].map((m) => Number(m[1]));
  assertEquals(counts.reduce((a, b) => a + b, 0), 6, "the bars count every episode");
  const missing = await t.app.request("/datasets/nope", { headers: { Cookie: cookie } });
  assertEquals(missing.status, 404);
});

Deno.test("scripts come from this server: the docs viewer and chart library from their npm packages", async () => {
  using t = openTestApp();
  const cookie = await signIn(t.app);
  const docs = await (await t.app.request("/docs", { headers: { Cookie: cookie } })).text();
  assert(docs.includes("/assets/api-reference.js"), "the viewer's script is ours");
  assert(!/https?:\/\/(?!localhost)[^"' ]*\.js/.test(docs), "no script from another host");
  for (const name of ["api-reference.js", "uplot.js", "uplot.css", "dashboard.js"]) {
    const asset = await t.app.request(`/assets/${name}`); // public: the login page needs them
    assertEquals(asset.status, 200, name);
    const etag = asset.headers.get("etag")!;
    assert((await asset.arrayBuffer()).byteLength > 1000, name);
    const again = await t.app.request(`/assets/${name}`, { headers: { "If-None-Match": etag } });
    assertEquals(again.status, 304, name);
  }
  const escape = await t.app.request("/assets/%2e%2e%2fdeno.json", { headers: { Cookie: cookie } });
  assertEquals(escape.status, 404);
  assertEquals((await t.app.request("/assets/secret.js")).status, 404);
});

Deno.test("a report artifact shows inline in a sandbox, and downloads by default", async () => {
  using t = openTestApp();
  const run = t.engine.submit("hash-chain", QUICK_CHAIN).run;
  const folder = `${t.home}/runs/${run.id}`;
  Deno.mkdirSync(folder, { recursive: true });
  Deno.writeTextFileSync(`${folder}/report.html`, "<h1>report</h1>");
  const download = await t.call(`/v1/runs/${run.id}/artifacts/report.html`);
  assert(download.headers.get("content-disposition")!.startsWith("attachment"));
  await download.body?.cancel();
  const inline = await t.call(`/v1/runs/${run.id}/artifacts/report.html?disposition=inline`);
  assert(inline.headers.get("content-disposition")!.startsWith("inline"));
  assert(inline.headers.get("content-security-policy")!.startsWith("sandbox"));
  assertEquals(await inline.text(), "<h1>report</h1>");
});

Deno.test("the policies pages list each policy, its versions' scores and the changes of latest", async () => {
  using t = openTestApp();
  const cookie = await signIn(t.app);
  const none = await t.app.request("/policies", { headers: { Cookie: cookie } });
  assert((await none.text()).includes("No policies yet"));
  const register = (runId: string, score: number) =>
    t.store.policies.register({
      name: "nightly",
      runId,
      metrics: { score, scoreKind: "normalised_score", teamReturn: -30, weightEss: 0.5 },
      lineage: {
        runId,
        scheduleId: "nightly",
        datasetId: "spread-medium-200ep-s0-3b3bff48c820",
        datasetName: "spread-medium-200ep-s0",
        datasetContentHash: "3b3bff48c820",
        algorithm: "omiga",
        config: {},
        backend: "wasm",
        codeVersion: "test",
      },
      files: { policy: "p", architecture: "a" },
      evaluationHash: "same-episodes",
      tolerance: 0,
    });
  register("run-one-0000", 40);
  register("run-two-0000", 45); // promoted: above latest
  register("run-three-000", 42); // a candidate: below latest
  const list = await (await t.app.request("/policies", { headers: { Cookie: cookie } })).text();
  assert(list.includes('data-policy="nightly"') && list.includes("/policies/nightly"));
  const page = await (await t.app.request("/policies/nightly", { headers: { Cookie: cookie } }))
    .text();
  assertEquals(page.match(/<circle /g)?.length, 3, "a point per scored version");
  assert(/class="latest"[^>]*data-version="2"/.test(page), "v2 is latest");
  assert(page.includes("45.0") && page.includes("spread-medium-200ep-s0"));
  assert(page.includes("v1 → v2"), "the change of latest is listed");
  assert(page.includes("&lt; latest v2"), "the candidate's gate decision is shown");
  const missing = await t.app.request("/policies/nope", { headers: { Cookie: cookie } });
  assertEquals(missing.status, 404);
});
