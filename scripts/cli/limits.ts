/**
 * `deno task omiga limits [set KEY N | rm KEY] [--json]`: the concurrency limits of this home.
 * A step that names a concurrency key (training steps name `cpu`) waits while that many steps
 * of the key run, counted across every process on the home. Without a stored limit, `cpu`
 * allows one step per core and any other key one. Running workers apply a change at their next
 * claim; `worker --limit` and `OMIGA_CONCURRENCY` override it for one process.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ValidationError } from "../../core/errors.ts";
import { CPU_KEY, defaultLimit, WorkflowStore } from "../../workflows/mod.ts";
import type { Command } from "./command.ts";

/** The limits of a home: stored ones, and the default of `cpu` when it has none. */
export function describeLimits(
  store: WorkflowStore,
): { key: string; limit: number; source: string }[] {
  const stored = store.limits.list().map((l) => ({
    key: l.key,
    limit: l.maxRunning,
    source: "set",
  }));
  if (!stored.some((l) => l.key === CPU_KEY)) {
    stored.push({ key: CPU_KEY, limit: defaultLimit(CPU_KEY), source: "default (cores)" });
  }
  return stored.sort((a, b) => a.key.localeCompare(b.key));
}

export const limitsCommand: Command = {
  name: "limits",
  summary: "show or set this home's concurrency limits (cpu: training steps at once)",
  usage: "limits [set KEY N | rm KEY] [--json]",
  run(args) {
    const { values, positionals } = parseArgs({
      args,
      options: { json: { type: "boolean" } },
      allowPositionals: true,
      strict: true,
    });
    using store = WorkflowStore.open();
    const [verb, key, raw] = positionals;
    if (verb === "set") {
      if (key === undefined || raw === undefined) {
        throw new ValidationError("limits set needs a key and a number: limits set cpu 2");
      }
      store.limits.set(key, Number(raw));
    } else if (verb === "rm") {
      if (key === undefined) throw new ValidationError("limits rm needs a key: limits rm cpu");
      if (!store.limits.remove(key)) {
        throw new ValidationError(`no limit is set for "${key}" in ${store.path}`);
      }
    } else if (verb !== undefined) {
      throw new ValidationError(`unknown limits command "${verb}"; use set or rm`);
    }
    const limits = describeLimits(store);
    if (values.json) console.log(JSON.stringify(limits, null, 2));
    else {
      console.log(`concurrency limits in ${store.path}`);
      for (const l of limits) {
        console.log(`  ${l.key.padEnd(12)} ${String(l.limit).padStart(3)}  ${l.source}`);
      }
    }
    return Promise.resolve(0);
  },
};
