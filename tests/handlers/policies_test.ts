/**
 * The policy routes: list and show; promote and roll back; `act` from the Worker pool equals
 * in-process `act` bit for bit (continuous and discrete with masks), `@version` picks a
 * version, and a batch of the wrong shape is a 400 naming the expected shape.
 */
import { assert, assertEquals } from "../assert.ts";
import { selectBackend } from "../../core/backend/mod.ts";
import { loadPolicy } from "../../core/learn/mod.ts";
import { packObservations } from "../../workflows/policies/observations.ts";
import { createApp } from "../../handlers/mod.ts";
import { defaultRegistry, Engine, WorkflowStore } from "../../workflows/mod.ts";
import { actBackend } from "../../workflows/policies/act_pool.ts";
import {
  CONTINUOUS,
  DISCRETE,
  randomBatch,
  randomPolicy,
  registerPolicy,
} from "../workflows/policies/fixtures.ts";

const TOKEN = "policies-token";

async function openApp() {
  const home = Deno.makeTempDirSync({ prefix: "omiga-policies-http-" });
  const store = WorkflowStore.open({ home });
  const engine = new Engine(store, defaultRegistry(), { pollMs: 50 });
  const shutdown = new AbortController();
  const app = createApp({ token: TOKEN, engine, signal: shutdown.signal });
  const call = (path: string, json?: unknown) =>
    app.request(path, {
      method: json === undefined ? "GET" : "POST",
      headers: { Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
      ...(json === undefined ? {} : { body: JSON.stringify(json) }),
    });
  await selectBackend({ backend: actBackend() }); // in-process act on the pool's backend
  return {
    store,
    call,
    [Symbol.dispose]() {
      shutdown.abort();
      store.close();
      Deno.removeSync(home, { recursive: true });
    },
  };
}

async function inProcess(exported: ReturnType<typeof randomPolicy>, batch: object) {
  const policy = loadPolicy(exported.weights, exported.architecture);
  try {
    const packed = packObservations(exported.architecture.spec, batch as never);
    return await policy.act(packed.obs, packed.avail);
  } finally {
    policy.dispose();
  }
}

Deno.test("act from the Worker pool equals in-process act bit for bit, continuous and discrete", async () => {
  using t = await openApp();
  const continuous = randomPolicy(CONTINUOUS, 1);
  const discrete = randomPolicy(DISCRETE, 2);
  await registerPolicy(t.store, "walker", "run-c", continuous);
  await registerPolicy(t.store, "picker", "run-d", discrete);

  for (
    const [name, exported, spec] of [["walker", continuous, CONTINUOUS], [
      "picker",
      discrete,
      DISCRETE,
    ]] as const
  ) {
    const batch = randomBatch(spec, 64, 7);
    const response = await t.call(`/v1/policies/${name}/act`, batch);
    assertEquals(response.status, 200, await response.clone().text());
    const body = await response.json();
    assertEquals(body.version, 1);
    const served = (body.actions as unknown[]).flat(2) as number[];
    const expected = await inProcess(exported, batch);
    const asSent = spec.actionKind === "discrete"
      ? Int32Array.from(served)
      : Float32Array.from(served);
    assertEquals(
      new Uint8Array(asSent.buffer),
      new Uint8Array(expected.buffer),
      `${name}: bit for bit`,
    );
    if (spec.actionKind === "discrete") {
      // Each agent's masked-out action is never chosen.
      (body.actions as number[][]).forEach((copy, b) =>
        copy.forEach((action, i) => assert(action !== (b + i) % spec.nActions!))
      );
    }
  }
});

Deno.test("act at name@version runs that version; a bad shape is a 400 naming the expected one", async () => {
  using t = await openApp();
  const first = randomPolicy(CONTINUOUS, 1);
  const second = randomPolicy(CONTINUOUS, 2);
  await registerPolicy(t.store, "walker", "run-1", first);
  await registerPolicy(t.store, "walker", "run-2", second);
  const batch = randomBatch(CONTINUOUS, 4, 3);
  const old = await (await t.call("/v1/policies/walker@1/act", batch)).json();
  assertEquals(old.version, 1);
  assertEquals(Float32Array.from(old.actions.flat(2)), await inProcess(first, batch));
  assertEquals((await (await t.call("/v1/policies/walker/act", batch)).json()).version, 2);

  const cases: [unknown, string][] = [
    [
      { observations: [[[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]]] },
      "observations[0]: expected 3 rows (nAgents) of shape [B, 3, 5]",
    ],
    [
      { observations: [[[1, 2], [1, 2], [1, 2]]] },
      "observations[0][0]: expected 5 values (obsDim) of shape [B, 3, 5]",
    ],
    [{ observations: [] }, "observations: expected shape [B, 3, 5]"],
    [{ observations: "none" }, "observations: Invalid input: expected array"],
    // The nested values are checked by packObservations alone (no schema pass over them).
    [
      { observations: [[[1, 2, 3, 4, 5], [1, 2, "x", 4, 5], [1, 2, 3, 4, 5]]] },
      'observations[0][1][2]: "x" is not allowed here',
    ],
    [
      { observations: [[[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, null]]] },
      "observations[0][2][4]: null is not allowed here",
    ],
    [{ observations: [[[1, 2, 3, 4, 5], 7, [1, 2, 3, 4, 5]]] }, "observations[0][1]: expected 5"],
  ];
  for (const [body, message] of cases) {
    const response = await t.call("/v1/policies/walker/act", body);
    assertEquals(response.status, 400);
    const error = (await response.json()).error;
    assertEquals(error.code, "invalid_input");
    assert(error.message.includes(message), error.message);
  }
  const masks = await t.call("/v1/policies/walker/act", { ...batch, availActions: [[[1]]] });
  assertEquals(masks.status, 400);
  assertEquals((await t.call("/v1/policies/nope/act", batch)).status, 404);
  assertEquals((await t.call("/v1/policies/walker@9/act", batch)).status, 404);
});

Deno.test("policies over HTTP: list, show, promote and roll back", async () => {
  using t = await openApp();
  await registerPolicy(t.store, "walker", "run-1", randomPolicy(CONTINUOUS, 1));
  await registerPolicy(t.store, "walker", "run-2", randomPolicy(CONTINUOUS, 2));
  const list = await (await t.call("/v1/policies")).json();
  assertEquals(
    list.policies.map((p: { name: string; latestVersion: number }) => [p.name, p.latestVersion]),
    [["walker", 2]],
  );
  const promoted = await t.call("/v1/policies/walker/promote", { version: 1 });
  assertEquals(promoted.status, 200);
  assertEquals((await promoted.json()).toVersion, 1);
  assertEquals((await t.call("/v1/policies/walker/promote", { version: 1 })).status, 409);
  const back = await (await t.call("/v1/policies/walker/rollback", {})).json();
  assertEquals([back.type, back.toVersion], ["rolled_back", 2]);
  const shown = await (await t.call("/v1/policies/walker")).json();
  assertEquals(shown.versionList.map((v: { latest: boolean }) => v.latest), [false, true]);
  assertEquals(shown.events.map((e: { type: string }) => e.type), [
    "promoted",
    "promoted",
    "promoted",
    "rolled_back",
  ]);
});
