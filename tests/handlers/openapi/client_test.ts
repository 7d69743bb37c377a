/**
 * The typed client generated from the OpenAPI document drives a run end to end: submit, follow
 * its events to success, read it and its artifacts back, all through `app.request`.
 */
import { assert, assertEquals } from "../../assert.ts";
import { createApiClient } from "../../../handlers/openapi/client.ts";
import { openTestApp, parseSse, QUICK_CHAIN, TOKEN } from "../test_app.ts";

Deno.test("the generated client submits a run, follows it to success and reads it back", async () => {
  using t = openTestApp();
  const api = createApiClient({
    baseUrl: "http://127.0.0.1:8787",
    token: TOKEN,
    fetch: async (request) => await t.app.request(request),
  });

  const submitted = await api.POST("/v1/runs", {
    params: { header: { "Idempotency-Key": "client-test" } },
    body: { workflow: "hash-chain", params: QUICK_CHAIN },
  });
  assertEquals(submitted.response.status, 201);
  const run = submitted.data!;
  assertEquals([run.workflow, run.state], ["hash-chain", "queued"]);

  // Follow the run's events while the engine runs it, until the stream ends with its outcome.
  const [events] = await Promise.all([
    api.GET("/v1/runs/{id}/events", { params: { path: { id: run.id } }, parseAs: "text" }),
    t.engine.execute(run.id),
  ]);
  assertEquals(events.response.status, 200);
  const messages = parseSse(events.data!);
  assertEquals(messages.at(-1)?.event, "run.succeeded");

  const shown = await api.GET("/v1/runs/{id}", { params: { path: { id: run.id } } });
  assertEquals(shown.data?.state, "succeeded");
  assertEquals(
    shown.data?.steps.map((step) => step.state),
    shown.data?.steps.map(() => "succeeded"),
  );
  assert((shown.data?.steps.length ?? 0) > 0, "the run has steps");

  const listed = await api.GET("/v1/runs", { params: { query: { workflow: "hash-chain" } } });
  assertEquals(listed.data?.runs.map((r) => r.id), [run.id]);

  // The same key and body answer the run it created.
  const again = await api.POST("/v1/runs", {
    params: { header: { "Idempotency-Key": "client-test" } },
    body: { workflow: "hash-chain", params: QUICK_CHAIN },
  });
  assertEquals([again.response.status, again.data?.id], [200, run.id]);

  // A typed error body for a run that does not exist.
  const missing = await api.GET("/v1/runs/{id}", { params: { path: { id: "no-such-run" } } });
  assertEquals(missing.response.status, 404);
  assertEquals(missing.error?.error.code, "not_found");
});

Deno.test("the client's types follow each workflow's parameters (checked at compile time)", () => {
  const api = createApiClient({
    baseUrl: "http://127.0.0.1:8787",
    fetch: () => Promise.reject(new Error("not sent")),
  });
  // Never called: `deno check` refuses the file if a wrong body type-checks.
  const _submissions = [
    () => api.POST("/v1/runs", { body: { workflow: "hash-chain", params: { iterations: 3 } } }),
    // @ts-expect-error hash-chain's iterations is a number
    () => api.POST("/v1/runs", { body: { workflow: "hash-chain", params: { iterations: "3" } } }),
    // @ts-expect-error no workflow has this name
    () => api.POST("/v1/runs", { body: { workflow: "no-such-flow" } }),
  ];
  assertEquals(_submissions.length, 3);
});
