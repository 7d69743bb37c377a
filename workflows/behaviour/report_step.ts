/**
 * The `report` step of `behaviour`: the run's numbers as JSON (`behaviour/report.json`) and as a
 * table a person reads (`behaviour/summary.txt`): the training budget and its wall time, the
 * medium snapshot, and every tier's return with its 95% interval and normalised score.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "../../core/checkpoint/mod.ts";
import type { StepContext } from "../step.ts";
import type { BehaviourParams } from "./params.ts";
import { BEHAVIOUR_FOLDER } from "./train_step.ts";
import type { BehaviourTiersOutput, BehaviourTrainOutput } from "./types.ts";

/** What `report` produces (also the run's output). */
export interface BehaviourReport {
  env: string;
  algorithm: "sac";
  params: BehaviourParams;
  train: Omit<BehaviourTrainOutput, "curve">;
  curve: BehaviourTrainOutput["curve"];
  tiers: BehaviourTiersOutput;
  summary: string;
}

const fixed = (value: number, digits = 1) => Number.isFinite(value) ? value.toFixed(digits) : "n/a";

/** The human summary of a behaviour run. */
export function behaviourSummary(
  params: BehaviourParams,
  train: BehaviourTrainOutput,
  tiers: BehaviourTiersOutput,
): string {
  const minutes = train.seconds / 60;
  const lines = [
    `behaviour policy: SAC on ${params.env}, ${train.steps} steps (${train.episodes} episodes), ` +
    `${fixed(minutes)} min on ${train.backend} (${fixed(train.stepsPerSecond)} steps/s)`,
    `medium: snapshot at step ${tiers.medium.step}, ${fixed(100 * tiers.medium.fraction, 0)}% ` +
    `of the expert's return above random${tiers.medium.inBand ? "" : " (outside 33-50%)"}`,
    "",
    "tier           episodes  transitions  return (mean +- std)   95% interval        score",
  ];
  for (const t of tiers.tiers) {
    lines.push(
      [
        t.tier.padEnd(14),
        String(t.episodes).padStart(8),
        String(t.transitions).padStart(12),
        `${fixed(t.returns.mean)} +- ${fixed(t.returns.std)}`.padStart(22),
        `[${fixed(t.returns.ci95[0])}, ${fixed(t.returns.ci95[1])}]`.padStart(20),
        fixed(t.normalisedScore).padStart(8),
      ].join(" "),
    );
  }
  lines.push(
    "",
    `random < medium < expert with disjoint 95% intervals: ${tiers.ordered ? "yes" : "NO"}`,
  );
  return lines.join("\n");
}

/** Runs the step. */
export async function writeBehaviourReport(
  input: { params: BehaviourParams; train: BehaviourTrainOutput; tiers: BehaviourTiersOutput },
  ctx: StepContext,
): Promise<BehaviourReport> {
  const { curve, ...train } = input.train;
  const summary = behaviourSummary(input.params, input.train, input.tiers);
  const report: BehaviourReport = {
    env: input.params.env,
    algorithm: "sac",
    params: input.params,
    train,
    curve,
    tiers: input.tiers,
    summary,
  };
  const folder = join(ctx.artifactsDir, BEHAVIOUR_FOLDER);
  await Deno.mkdir(folder, { recursive: true });
  const encode = (text: string) => new TextEncoder().encode(text);
  await writeFileAtomic(join(folder, "report.json"), encode(JSON.stringify(report, null, 2)));
  await writeFileAtomic(join(folder, "summary.txt"), encode(summary + "\n"));
  return report;
}
