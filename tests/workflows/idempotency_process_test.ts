import { fileURLToPath } from "node:url";
import { assertEquals } from "../assert.ts";
import { WorkflowStore } from "../../workflows/mod.ts";

const SCRIPT = fileURLToPath(new URL("./fixtures/submit_many.ts", import.meta.url));

Deno.test("20 callers in 4 processes submitting one idempotency key at once create one run", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-idem-" });
  WorkflowStore.open({ home }).close(); // create the schema once, so the race is on the key
  const processes = Array.from({ length: 4 }, () =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT, home, "nightly-2026-01-01", "5"],
      stdout: "piped",
      stderr: "piped",
    }).output());
  const ids: string[] = [];
  for (const result of await Promise.all(processes)) {
    assertEquals(result.code, 0, new TextDecoder().decode(result.stderr));
    ids.push(...JSON.parse(new TextDecoder().decode(result.stdout)));
  }
  assertEquals(ids.length, 20);
  assertEquals(new Set(ids).size, 1);
  const store = WorkflowStore.open({ home });
  assertEquals(store.runs.list().map((r) => r.id), [ids[0]]);
  assertEquals(store.events.list(ids[0]).filter((e) => e.type === "run.submitted").length, 1);
  store.close();
  Deno.removeSync(home, { recursive: true });
});
