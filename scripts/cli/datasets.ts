/**
 * `deno task omiga datasets <import|list|show|filter|export|rm> ...`: the dataset store from the
 * command line. Every subcommand takes `--home DIR` (default `OMIGA_HOME`, else `./.omiga`) and
 * most take `--json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { builtInSpec } from "../../core/envs/mod.ts";
import { DatasetError } from "../../data/errors.ts";
import {
  type DatasetStats,
  datasetStats,
  exportDataset,
  exportFormatOf,
  filterDataset,
  getManifest,
  importDataset,
  listDatasets,
  removeDataset,
} from "../../data/mod.ts";
import type { DatasetManifest } from "../../data/manifest.ts";
import type { Command } from "./command.ts";

const USAGE = [
  "datasets import FILE [--format hdf5|csv|arrow|parquet|parquet-long] [--name NAME] [--env ENV]",
  "    [--tier TIER] [--json]",
  "  datasets list [--json]",
  "  datasets show ID [--json] [--bins N]",
  '  datasets filter ID FILTER [--name NAME] [--json]    FILTER: "top 30%", "first 200", "return >= 10", ...',
  "  datasets export ID FILE.arrow|FILE.ipc|FILE.feather|FILE.csv|FILE.parquet|FILE.npz",
  "    [--format arrow|csv|parquet|parquet-long|npz]",
  "  datasets rm ID",
  "  (every subcommand: --home DIR, default OMIGA_HOME or ./.omiga)",
].join("\n");

type Options = Record<string, string | boolean | undefined>;

function parse(args: string[], extra: Record<string, { type: "string" | "boolean" }> = {}) {
  const { values, positionals } = parseArgs({
    args,
    options: { home: { type: "string" }, json: { type: "boolean" }, ...extra },
    allowPositionals: true,
    strict: true,
  });
  return { values: values as Options, positionals };
}

function need(positionals: string[], count: number, what: string): void {
  if (positionals.length < count) {
    throw new DatasetError(
      "invalid_input",
      `expected ${what}; \`deno task omiga datasets --help\` shows the usage`,
    );
  }
}

const str = (
  value: string | boolean | undefined,
) => (typeof value === "string" ? value : undefined);

/** One line per dataset: id, rows, episodes, env, source. */
export function formatManifestLine(m: DatasetManifest): string {
  const lineage = m.lineage?.length
    ? `  <- ${m.lineage.at(-1)!.parent} (${m.lineage.at(-1)!.filter})`
    : "";
  return `${m.id}  ${m.name}  env=${m.env}  agents=${m.spec.nAgents}  rows=${m.rows}  episodes=${m.episodes}  source=${m.source}${lineage}`;
}

function fixed(value: number): string {
  return Number.isFinite(value) ? value.toFixed(3) : String(value);
}

/** The human-readable `datasets show` text. */
export function formatStats(m: DatasetManifest, s: DatasetStats): string {
  const r = s.episodeReturn;
  const spec = m.spec;
  const lines = [
    `${m.id}  (${m.name})`,
    `  env ${m.env}${m.tier ? `, tier ${m.tier}` : ""}, source ${m.source}, created ${m.createdAt}`,
    `  agents ${spec.nAgents}, obs ${spec.obsDim}, state ${spec.stateDim}, actions ${spec.actionKind} ${
      spec.actionKind === "discrete" ? `(${spec.nActions} choices)` : `dim ${spec.actDim}`
    }`,
    `  rows ${s.rows}, episodes ${s.episodes} (${s.terminalEpisodes} terminal), transitions ${s.transitions}`,
    `  episode length mean ${
      fixed(s.episodeLength.mean)
    }, min ${s.episodeLength.min}, max ${s.episodeLength.max}`,
    `  return mean ${fixed(r.mean)}, std ${fixed(r.std)}, min ${fixed(r.min)}, q1 ${
      fixed(r.q1)
    }, median ${fixed(r.median)}, q3 ${fixed(r.q3)}, max ${fixed(r.max)}`,
    `  reward mean ${fixed(s.reward.mean)}, min ${fixed(s.reward.min)}, max ${fixed(s.reward.max)}`,
    "  return histogram:",
  ];
  const peak = Math.max(1, ...s.returnHistogram.counts);
  s.returnHistogram.counts.forEach((count, i) => {
    const [low, high] = [s.returnHistogram.edges[i], s.returnHistogram.edges[i + 1]];
    const bar = "#".repeat(Math.round((30 * count) / peak));
    lines.push(
      `    [${fixed(low).padStart(10)}, ${fixed(high).padStart(10)}) ${
        String(count).padStart(6)
      } ${bar}`,
    );
  });
  lines.push("  actions (mean ± std per component):");
  for (const a of s.actions) {
    lines.push(
      `    agent ${a.agent}: ${
        a.mean.map((mu, k) => `${fixed(mu)} ± ${fixed(a.std[k])}`).join(", ")
      }`,
    );
  }
  if (m.reference) {
    lines.push(`  reference returns: random ${m.reference.random}, expert ${m.reference.expert}`);
  }
  for (const step of m.lineage ?? []) lines.push(`  lineage: ${step.parent} | ${step.filter}`);
  lines.push(`  content hash ${m.contentHash}`);
  return lines.join("\n");
}

async function run(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case "import": {
      const { values, positionals } = parse(rest, {
        format: { type: "string" },
        name: { type: "string" },
        env: { type: "string" },
        tier: { type: "string" },
      });
      need(positionals, 1, "a FILE to import");
      const { manifest, notes } = await importDataset(positionals[0], {
        home: str(values.home),
        format: str(values.format),
        name: str(values.name),
        env: str(values.env),
        expectedSpec: builtInSpec(str(values.env)),
        tier: str(values.tier),
      });
      if (values.json) console.log(JSON.stringify({ manifest, notes }, null, 2));
      else {
        console.log(`imported ${formatManifestLine(manifest)}`);
        for (const note of notes) console.log(`  note: ${note}`);
      }
      return 0;
    }
    case "list": {
      const { values } = parse(rest);
      const manifests = await listDatasets({ home: str(values.home) });
      if (values.json) console.log(JSON.stringify(manifests, null, 2));
      else if (manifests.length === 0) console.log("no datasets stored yet");
      else for (const m of manifests) console.log(formatManifestLine(m));
      return 0;
    }
    case "show": {
      const { values, positionals } = parse(rest, { bins: { type: "string" } });
      need(positionals, 1, "a dataset ID");
      const home = str(values.home);
      const manifest = await getManifest(positionals[0], { home });
      const bins = values.bins === undefined ? undefined : Number(values.bins);
      if (bins !== undefined && !(Number.isInteger(bins) && bins > 0 && bins <= 1000)) {
        throw new DatasetError(
          "invalid_input",
          `expected --bins to be an integer in [1, 1000], got ${values.bins}`,
        );
      }
      const stats = await datasetStats(manifest.id, { home, bins });
      console.log(
        values.json ? JSON.stringify({ manifest, stats }, null, 2) : formatStats(manifest, stats),
      );
      return 0;
    }
    case "filter": {
      const { values, positionals } = parse(rest, { name: { type: "string" } });
      need(positionals, 2, 'a dataset ID and a FILTER such as "top 30%"');
      const [id, ...filter] = positionals;
      const manifest = await filterDataset(id, filter.join(" "), {
        home: str(values.home),
        name: str(values.name),
      });
      console.log(
        values.json ? JSON.stringify(manifest, null, 2) : `stored ${formatManifestLine(manifest)}`,
      );
      return 0;
    }
    case "export": {
      const { values, positionals } = parse(rest, { format: { type: "string" } });
      need(positionals, 2, "a dataset ID and a FILE to write");
      const [id, path] = positionals;
      const format = exportFormatOf(path, str(values.format));
      const manifest = await exportDataset(id, path, format, { home: str(values.home) });
      console.log(`exported ${manifest.id} (${manifest.rows} rows) to ${path} as ${format}`);
      return 0;
    }
    case "rm": {
      const { values, positionals } = parse(rest);
      need(positionals, 1, "a dataset ID");
      const manifest = await removeDataset(positionals[0], { home: str(values.home) });
      console.log(`removed ${manifest.id}`);
      return 0;
    }
    default:
      throw new DatasetError(
        "invalid_input",
        `${sub === undefined ? "missing" : `unknown`} datasets subcommand${
          sub ? ` "${sub}"` : ""
        }; use import, list, show, filter, export or rm`,
      );
  }
}

/** `deno task omiga datasets ...`. */
export const datasetsCommand: Command = {
  name: "datasets",
  summary: "import, list, show, filter, export and remove stored datasets",
  usage: USAGE,
  run,
};
