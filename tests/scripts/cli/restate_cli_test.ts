/**
 * The CLI's `--engine` and `--store` flags and `restate` command: what they accept and the errors
 * they give.
 */
import assert from "node:assert/strict";
import { assertEquals } from "../../assert.ts";
import { takeEngineFlag } from "../../../scripts/omiga.ts";
import { cli } from "../run_cli.ts";

Deno.test("--engine sets OMIGA_ENGINE for the command and is taken out of its arguments", () => {
  const before = Deno.env.get("OMIGA_ENGINE");
  try {
    assertEquals(takeEngineFlag(["runs", "list", "--engine", "restate", "--json"]), [
      "runs",
      "list",
      "--json",
    ]);
    assertEquals(Deno.env.get("OMIGA_ENGINE"), "restate");
    assertEquals(takeEngineFlag(["--engine=sqlite", "limits"]), ["limits"]);
    assertEquals(Deno.env.get("OMIGA_ENGINE"), "sqlite");
  } finally {
    if (before === undefined) Deno.env.delete("OMIGA_ENGINE");
    else Deno.env.set("OMIGA_ENGINE", before);
  }
});

Deno.test("--store sets OMIGA_STORE for the command; a store that is not SQLite or PostgreSQL is refused", async () => {
  const before = Deno.env.get("OMIGA_STORE");
  try {
    const url = "postgres://omiga@db.internal:5432/omiga";
    assertEquals(takeEngineFlag(["limits", "--store", url]), ["limits"]);
    assertEquals(Deno.env.get("OMIGA_STORE"), url);
    assertEquals(takeEngineFlag(["--store=sqlite", "runs", "list"]), ["runs", "list"]);
    assertEquals(Deno.env.get("OMIGA_STORE"), "sqlite");
  } finally {
    if (before === undefined) Deno.env.delete("OMIGA_STORE");
    else Deno.env.set("OMIGA_STORE", before);
  }
  const refused = await cli("--store", "mysql://db/omiga", "runs", "list");
  assertEquals(refused.code, 2);
  assert.match(refused.err, /OMIGA_STORE must be "sqlite" or a postgres:\/\/ URL/);
});

Deno.test("an unknown engine or restate command is a usage error naming what was wrong", async () => {
  const engine = await cli("--engine", "temporal", "runs", "list");
  assertEquals(engine.code, 2);
  assert.match(engine.err, /OMIGA_ENGINE must be sqlite or restate, got "temporal"/);
  const verb = await cli("restate", "down");
  assertEquals(verb.code, 2);
  assert.match(verb.err, /unknown restate command "down"; use up or register/);
  const nodes = await cli("restate", "up", "--nodes", "12", "--dir", "/nonexistent/never");
  assertEquals(nodes.code, 2);
  assert.match(nodes.err, /--nodes must be an integer from 1 to 9, got 12/);
});

Deno.test("restate register names the admin address it could not reach", async () => {
  const before = Deno.env.get("OMIGA_RESTATE_ADMIN");
  Deno.env.set("OMIGA_RESTATE_ADMIN", "http://127.0.0.1:9");
  try {
    const result = await cli("restate", "register", "--endpoint", "http://127.0.0.1:1/restate");
    assertEquals(result.code, 1);
    assert.match(result.err, /cannot reach Restate's admin API at http:\/\/127\.0\.0\.1:9/);
  } finally {
    if (before === undefined) Deno.env.delete("OMIGA_RESTATE_ADMIN");
    else Deno.env.set("OMIGA_RESTATE_ADMIN", before);
  }
});
