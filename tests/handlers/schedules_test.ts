import { assert, assertEquals } from "../assert.ts";
import { errorOf, openTestApp } from "./test_app.ts";

const nightly = {
  id: "nightly",
  cron: "0 3 * * *",
  workflow: "hash-chain",
  params: { iterations: 5 },
};

Deno.test("schedules are created, listed and deleted", async () => {
  using t = openTestApp();
  const created = await t.call("/v1/schedules", { method: "POST", json: nightly });
  assertEquals(created.status, 201);
  const schedule = await created.json();
  assertEquals(schedule.params.iterations, 5);
  assertEquals(schedule.params.seed, 0, "params are completed by the workflow's schema");
  assert(schedule.nextRunAt > Date.now());
  assertEquals(new Date(schedule.nextRunAt).getUTCHours(), 3);
  const { schedules } = await (await t.call("/v1/schedules")).json();
  assertEquals(schedules.map((s: { id: string }) => s.id), ["nightly"]);
  const duplicate = await errorOf(await t.call("/v1/schedules", { method: "POST", json: nightly }));
  assertEquals([duplicate.status, duplicate.code], [409, "conflict"]);
  const deleted = await t.call("/v1/schedules/nightly", { method: "DELETE" });
  assertEquals((await deleted.json()).id, "nightly");
  assertEquals(await (await t.call("/v1/schedules")).json(), { schedules: [] });
  const again = await errorOf(await t.call("/v1/schedules/nightly", { method: "DELETE" }));
  assertEquals(again.status, 404);
});

Deno.test("bad schedules are 400s naming what is wrong, unknown workflows 404", async () => {
  using t = openTestApp();
  const cases: [Record<string, unknown>, number, string][] = [
    [{ ...nightly, cron: "every night" }, 400, "cron"],
    [{ ...nightly, id: "Nightly Run" }, 400, "id"],
    [{ ...nightly, timezone: "Nowhere/Bad" }, 400, "Nowhere/Bad"],
    [{ ...nightly, params: { iterations: -1 } }, 400, "iterations"],
    [{ ...nightly, workflow: "missing" }, 404, "missing"],
  ];
  for (const [body, status, mentioned] of cases) {
    const error = await errorOf(await t.call("/v1/schedules", { method: "POST", json: body }));
    assertEquals(error.status, status, JSON.stringify(body));
    assert(error.message.includes(mentioned), error.message);
  }
  assertEquals(t.store.schedules.list().length, 0);
});
