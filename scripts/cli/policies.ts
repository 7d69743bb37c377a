/**
 * `deno task omiga policies list|show|promote|rollback|act`: the policy registry that
 * successful `train-evaluate` runs register into (docs/policies.md).
 *
 * @module
 */
import { ValidationError } from "../../core/errors.ts";
import { type PolicyStore, type PolicyVersionRecord, WorkflowStore } from "../../workflows/mod.ts";
import { actBackend } from "../../workflows/policies/act_pool.ts";
import { join } from "node:path";
import { selectBackend } from "../../core/backend/mod.ts";
import { loadPolicy } from "../../core/learn/mod.ts";
import {
  type ObservationBatch,
  packObservations,
  unpackActions,
} from "../../workflows/policies/observations.ts";
import type { Command } from "./command.ts";

/** `name` or `name@3`: the policy and, when given, the version. */
export function parsePolicyRef(ref: string | undefined): { name: string; version?: number } {
  if (ref === undefined || ref.startsWith("--")) {
    throw new ValidationError("name a policy: NAME or NAME@VERSION (`policies list` shows them)");
  }
  const [name, version] = ref.split("@", 2);
  if (version === undefined) return { name };
  if (!/^[1-9][0-9]{0,8}$/.test(version)) {
    throw new ValidationError(`"${ref}": the version after @ is a number from 1 (${name}@3)`);
  }
  return { name, version: Number(version) };
}

const when = (ms: number) => new Date(ms).toISOString();
const score = (v: PolicyVersionRecord) =>
  v.metrics.score === undefined ? "not evaluated" : `score ${v.metrics.score.toFixed(3)}`;

function versionLine(v: PolicyVersionRecord): string {
  return `v${v.version}${v.latest ? " (latest)" : ""}  ${score(v)}  ${v.lineage.algorithm}  ` +
    `run ${v.runId.slice(0, 8)}  ${when(v.createdAt)}  ${v.decision.reason}`;
}

function show(policies: PolicyStore, ref: ReturnType<typeof parsePolicyRef>, json: boolean) {
  if (ref.version !== undefined) {
    const version = policies.version(ref.name, ref.version);
    console.log(
      json ? JSON.stringify(version, null, 2) : [
        versionLine(version),
        `dataset ${version.lineage.datasetName} (${version.lineage.datasetId}, content ` +
        `${version.lineage.datasetContentHash.slice(0, 12)})`,
        `backend ${version.lineage.backend}, code ${version.lineage.codeVersion}`,
        `config ${JSON.stringify(version.lineage.config)}`,
        `files ${Object.values(version.files).join(", ")}`,
      ].join("\n"),
    );
    return;
  }
  const policy = policies.get(ref.name);
  const versions = policies.versions(ref.name);
  const events = policies.events(ref.name);
  if (json) {
    console.log(JSON.stringify({ ...policy, versions: versions, events }, null, 2));
    return;
  }
  console.log(
    `${policy.name}: latest v${policy.latestVersion ?? "-"}, ${versions.length} versions`,
  );
  for (const v of versions) console.log(`  ${versionLine(v)}`);
  console.log("changes of latest:");
  for (const e of events) {
    console.log(
      `  ${when(e.time)}  ${e.type} v${e.fromVersion ?? "-"} -> v${e.toVersion}  ${e.reason}`,
    );
  }
}

/**
 * `act NAME[@V] --obs FILE.json`: the actions of a version, computed here, for the batch in
 * FILE (`{"observations": [B][nAgents][obsDim], "availActions"?: [B][nAgents][nActions]}`, the
 * body of `POST /v1/policies/NAME/act`), printed as `{"name", "version", "actions"}`.
 */
async function act(store: WorkflowStore, args: string[]): Promise<number> {
  const ref = parsePolicyRef(args[0]);
  const at = args.indexOf("--obs");
  const file = at < 0 ? undefined : args[at + 1];
  if (file === undefined) throw new ValidationError("act needs --obs FILE.json");
  let batch: ObservationBatch;
  try {
    batch = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    throw new ValidationError(`--obs ${file}: not a JSON file (${(error as Error).message})`);
  }
  const version = store.policies.version(ref.name, ref.version);
  await selectBackend({ backend: actBackend() }); // the act endpoint's, so the actions agree
  const policy = loadPolicy(
    await Deno.readFile(join(store.artifacts, version.files.policy)),
    JSON.parse(await Deno.readTextFile(join(store.artifacts, version.files.architecture))),
  );
  try {
    const packed = packObservations(policy.spec, batch);
    const actions = await policy.act(packed.obs, packed.avail);
    console.log(JSON.stringify({
      name: version.name,
      version: version.version,
      actions: unpackActions(policy.spec, actions),
    }));
  } finally {
    policy.dispose();
  }
  return 0;
}

export const policiesCommand: Command = {
  name: "policies",
  summary: "list, show, promote, roll back and run registered policies",
  usage: "policies list [--json] | show NAME[@V] [--json] | promote NAME@V | rollback NAME" +
    " | act NAME[@V] --obs FILE.json",
  async run(args) {
    const [verb, ...rest] = args;
    using store = WorkflowStore.open();
    const policies = store.policies;
    const json = rest.includes("--json");
    switch (verb) {
      case "list": {
        const all = policies.list();
        if (json) console.log(JSON.stringify(all, null, 2));
        else if (all.length === 0) console.log("no policies");
        else {
          for (const p of all) {
            const latest = p.latestVersion === null
              ? undefined
              : policies.version(p.name, p.latestVersion);
            console.log(
              `${p.name}  latest v${p.latestVersion ?? "-"}${
                latest ? ` (${score(latest)})` : ""
              }  ${p.versions} versions  updated ${when(p.updatedAt)}`,
            );
          }
        }
        return 0;
      }
      case "show":
        show(policies, parsePolicyRef(rest[0]), json);
        return 0;
      case "promote": {
        const ref = parsePolicyRef(rest[0]);
        if (ref.version === undefined) {
          throw new ValidationError(`promote needs a version: ${ref.name}@N`);
        }
        const event = policies.promote(ref.name, ref.version);
        console.log(`${ref.name}: latest v${event.fromVersion ?? "-"} -> v${event.toVersion}`);
        return 0;
      }
      case "rollback": {
        const { name } = parsePolicyRef(rest[0]);
        const event = policies.rollback(name);
        console.log(`${name}: rolled back, latest v${event.fromVersion} -> v${event.toVersion}`);
        return 0;
      }
      case "act":
        return await act(store, rest);
      default:
        throw new ValidationError(
          `unknown policies command "${verb ?? ""}"; use list, show, promote, rollback or act`,
        );
    }
  },
};
