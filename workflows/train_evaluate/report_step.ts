/**
 * The `report` step: the run's numbers as JSON (`report.json`) and as a table a person reads
 * (`summary.txt`), both in the run's artifact folder; and the table of several runs side by side
 * that the main job ends with.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../core/checkpoint/mod.ts";
import { normalisedScore } from "../../core/dataset.ts";
import { hasAlpha, parseTrainConfig } from "../../core/learn/mod.ts";
import { registerRunPolicy } from "../policies/register.ts";
import type { StepContext } from "../step.ts";
import { envFamily, type TrainEvaluateParams } from "./params.ts";
import type { EvaluateOutput, IngestOutput, TrainOutput } from "./types.ts";

/** What `report` produces (also the run's output). */
export interface TrainEvaluateReport {
  algorithm: string;
  /** The regularisation temperature trained with (absent for bc). */
  alpha?: number;
  /** Where alpha came from: given, or the default for the dataset's environment family. */
  alphaSource?: string;
  /** The training config after defaults (the algorithm's, with the run's choices). */
  config?: Record<string, unknown>;
  /** The run's parameters after defaults that the config does not hold. */
  run?: Record<string, unknown>;
  dataset: { id: string; name: string; tier?: string; episodes: number; transitions: number };
  behaviour?: { teamReturn: number; normalisedScore?: number };
  policy?: EvaluateOutput;
  training: {
    iterations: number;
    backend: string;
    /** Threads per training step (absent in older reports: 1). */
    threads?: number;
    itersPerSecond: number;
    losses: Record<string, number>;
    curve: TrainOutput["curve"];
  };
  artifacts: {
    folder: string;
    policy: string;
    architecture: string;
    report: string;
    summary: string;
  };
  /** The version the run registered (absent: no `policyName` and no schedule). */
  registry?: { name: string; version: number; latest: boolean; reason: string };
  summary: string;
}

const fixed = (value: number | undefined, digits = 2) =>
  value === undefined || !Number.isFinite(value) ? "n/a" : value.toFixed(digits);

/** The human summary: a small aligned table. */
export function summaryTable(report: Omit<TrainEvaluateReport, "summary">): string {
  const rows: [string, string][] = [
    ["dataset", `${report.dataset.name} (${report.dataset.episodes} episodes)`],
    ["behaviour return", fixed(report.behaviour?.teamReturn)],
    ["behaviour score", fixed(report.behaviour?.normalisedScore, 1)],
  ];
  if (report.alpha !== undefined) {
    rows.push(["alpha", `${report.alpha}${report.alphaSource ? ` (${report.alphaSource})` : ""}`]);
  }
  if (report.config) rows.push(["config", describeValues(report.config)]);
  if (report.run) rows.push(["run", describeValues(report.run)]);
  if (report.policy?.skipped) {
    rows.push([`${report.algorithm} return`, `not evaluated: ${report.policy.skipped}`]);
  } else {
    const p = report.policy;
    rows.push(
      [
        `${report.algorithm} return`,
        `${fixed(p?.teamReturn)} +- ${fixed(p?.std)} (${p?.episodes} episodes)`,
      ],
      [`${report.algorithm} score`, fixed(p?.normalisedScore, 1)],
    );
    if (p?.winRate !== undefined) rows.push(["win rate", `${(100 * p.winRate).toFixed(0)}%`]);
  }
  rows.push(["iterations", String(report.training.iterations)]);
  const { weightEss } = report.training.losses;
  if (report.alpha !== undefined && weightEss !== undefined) {
    rows.push(["weight ESS", fixed(weightEss, 3)]);
  }
  rows.push(
    ["backend", report.training.backend],
    ["threads", String(report.training.threads ?? 1)],
    ["iterations/s", fixed(report.training.itersPerSecond, 1)],
    ["artifacts", report.artifacts.folder],
  );
  if (report.registry) {
    const { name, version, latest, reason } = report.registry;
    rows.push([
      "policy",
      `${name} v${version}, ${latest ? "now latest" : "a candidate"}: ${reason}`,
    ]);
  }
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) =>
    `${k.padEnd(width)}  ${v.replaceAll("\n", `\n${" ".repeat(width + 2)}`)}`
  )
    .join("\n");
}

/** `key value, key value, ...`, wrapped into lines of at most 80 characters. */
function describeValues(values: Record<string, unknown>): string {
  const lines: string[] = [];
  let line = "";
  for (const [key, value] of Object.entries(values)) {
    const part = `${key} ${typeof value === "string" ? value : JSON.stringify(value)}`;
    if (line !== "" && line.length + part.length + 2 > 80) {
      lines.push(`${line},`);
      line = part;
    } else line = line === "" ? part : `${line}, ${part}`;
  }
  return [...lines, line].join("\n");
}

/**
 * The parts of the effective training config a summary shows: everything but the algorithm (it
 * names the rows), the seed (a run parameter) and alpha (its own row, or none for bc).
 */
function shownConfig(config: Record<string, unknown>): Record<string, unknown> {
  const { algorithm: _algorithm, seed: _seed, alpha: _alpha, ...shown } = config;
  return shown;
}

/**
 * Several runs on one dataset side by side (the main job's OMIGA and BC): the behaviour data's
 * return and score, then one row per run, then where each run's artifacts are.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { comparisonTable } from "./report_step.ts";
 * const run = (algorithm: string, score: number) => ({
 *   algorithm,
 *   dataset: { id: "d", name: "spread-medium", episodes: 200, transitions: 5000 },
 *   behaviour: { teamReturn: -36.3, normalisedScore: 39.9 },
 *   policy: { teamReturn: -30, std: 5, episodes: 100, normalisedScore: score },
 *   training: { iterations: 5000, backend: "wasm", itersPerSecond: 50, losses: {}, curve: [] },
 *   artifacts: { folder: algorithm, policy: "", architecture: "", report: "", summary: "" },
 *   summary: "",
 * });
 * const table = comparisonTable([run("omiga", 45.2), run("bc", 41.0)]);
 * assert.match(table, /^omiga +-30\.00 \+- 5\.00 +45\.2/m);
 * assert.match(table, /^behaviour +-36\.30 +39\.9/m);
 * ```
 */
export function comparisonTable(reports: readonly Omit<TrainEvaluateReport, "summary">[]): string {
  const first = reports[0];
  const wins = reports.some((r) => r.policy?.winRate !== undefined);
  const header = ["", "return", "score", ...(wins ? ["win rate"] : []), "iterations/s"];
  const rows: string[][] = [[
    "behaviour",
    fixed(first.behaviour?.teamReturn),
    fixed(first.behaviour?.normalisedScore, 1),
    ...(wins ? [""] : []),
    "",
  ]];
  for (const report of reports) {
    const p = report.policy;
    const name = report.alpha === undefined
      ? report.algorithm
      : `${report.algorithm} (alpha ${report.alpha})`;
    const evaluated = p !== undefined && !p.skipped;
    rows.push([
      name,
      evaluated ? `${fixed(p.teamReturn)} +- ${fixed(p.std)}` : `not evaluated: ${p?.skipped}`,
      evaluated ? fixed(p.normalisedScore, 1) : "",
      ...(wins ? [p?.winRate === undefined ? "" : `${(100 * p.winRate).toFixed(0)}%`] : []),
      fixed(report.training.itersPerSecond, 1),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...[header, ...rows].map((row) => row[c].length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c])).join("  ").trimEnd();
  const episodes = first.policy?.episodes;
  const nameWidth = Math.max(...reports.map((r) => r.algorithm.length));
  return [
    `dataset    ${first.dataset.name} (${first.dataset.episodes} episodes)`,
    `training   ${first.training.iterations} iterations on ${first.training.backend}` +
    ((first.training.threads ?? 1) > 1 ? ` (${first.training.threads} threads)` : "") +
    (episodes ? `, evaluated on ${episodes} episodes` : ""),
    "",
    line(header),
    ...rows.map(line),
    "",
    "artifacts",
    ...reports.map((r) => `  ${r.algorithm.padEnd(nameWidth)}  ${r.artifacts.folder}`),
  ].join("\n");
}

/** Runs the step. */
export async function writeRunReport(
  input: {
    params: TrainEvaluateParams;
    ingest: IngestOutput;
    train: TrainOutput;
    evaluate: EvaluateOutput;
  },
  ctx: StepContext,
): Promise<TrainEvaluateReport> {
  const { params, ingest, train, evaluate } = input;
  const reference = ingest.evaluation?.reference;
  const behaviour = ingest.behaviourReturn
    ? {
      teamReturn: ingest.behaviourReturn.mean,
      ...(reference
        ? { normalisedScore: normalisedScore(ingest.behaviourReturn.mean, reference) }
        : {}),
    }
    : undefined;
  const folder = ctx.artifactsDir;
  // Runs from before the train step reported its config: the one the params would give.
  const config = train.config ??
    parseTrainConfig({ algorithm: params.algorithm, alpha: params.alpha });
  const withAlpha = hasAlpha(params.algorithm);
  const body: Omit<TrainEvaluateReport, "summary"> = {
    algorithm: params.algorithm,
    ...(withAlpha
      ? {
        alpha: config.alpha as number,
        alphaSource: params.alpha !== undefined
          ? "given"
          : `the default for ${envFamily(ingest.env)} environments`,
      }
      : {}),
    config: shownConfig(config),
    run: {
      seed: params.seed,
      iterations: params.iterations,
      evalEvery: params.evalEvery,
      checkpointEvery: params.checkpointEvery,
      evalEpisodes: params.evalEpisodes,
      evalSeeds: params.evalSeeds,
      backend: params.backend,
    },
    dataset: {
      id: ingest.datasetId,
      name: ingest.datasetName,
      ...(ingest.tier ? { tier: ingest.tier } : {}),
      episodes: ingest.episodes,
      transitions: ingest.transitions,
    },
    ...(behaviour ? { behaviour } : {}),
    policy: evaluate,
    training: {
      iterations: train.iterations,
      backend: train.backend,
      threads: train.threads ?? 1,
      itersPerSecond: train.itersPerSecond,
      losses: train.losses,
      curve: train.curve,
    },
    artifacts: {
      folder,
      policy: join(folder, train.policyFile),
      architecture: join(folder, train.architectureFile),
      report: join(folder, "report.json"),
      summary: join(folder, "summary.txt"),
    },
  };
  const registered = await registerRunPolicy(input, ctx);
  if (registered !== undefined) {
    body.registry = {
      name: registered.name,
      version: registered.version,
      latest: registered.decision.promoted,
      reason: registered.decision.reason,
    };
  }
  const report: TrainEvaluateReport = { ...body, summary: summaryTable(body) };
  const encoder = new TextEncoder();
  await writeFileAtomic(body.artifacts.report, encoder.encode(JSON.stringify(report, null, 2)));
  await writeFileAtomic(body.artifacts.summary, encoder.encode(report.summary + "\n"));
  return report;
}
