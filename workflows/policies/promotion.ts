/**
 * The promotion gate: whether a new version of a policy becomes its `latest`. A pure function of
 * the two versions' stored scores, so that the run's summary can say exactly why.
 *
 * A new version is compared only with a latest evaluated on the same episodes: the same
 * environment, config, episode count, seeds and reference returns (their hash, see
 * {@link evaluationHash}). Evaluation is deterministic given the policy and the seeds, so two
 * scores on the same plan differ only by the policies.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { canonicalJson } from "../store/records.ts";

/** What the gate reads of a version: its score and the episodes it was evaluated on. */
export interface GateInput {
  version: number;
  /** Normalised score when the environment has reference returns, else the mean team return. */
  score?: number;
  /** {@link evaluationHash} of its evaluation plan; absent when it was not evaluated. */
  evaluationHash?: string;
}

/** The gate's answer. */
export interface PromotionDecision {
  promoted: boolean;
  /** One sentence a person reads in the run's summary. */
  reason: string;
}

/**
 * The hash of an evaluation plan (canonical JSON, SHA-256): equal exactly when two evaluations
 * ran the same episodes.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { evaluationHash } from "./promotion.ts";
 * assert.equal(evaluationHash({ env: "spread", seeds: [1] }), evaluationHash({ seeds: [1], env: "spread" }));
 * ```
 */
export function evaluationHash(plan: unknown): string {
  return createHash("sha256").update(canonicalJson(plan)).digest("hex");
}

const fixed = (value: number) => value.toFixed(3);

/**
 * Whether `candidate` becomes latest over `latest` (none: the policy has no latest yet): it
 * must be evaluated, on the same episodes as `latest`, and score at least `latest`'s minus
 * `tolerance`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { decidePromotion } from "./promotion.ts";
 * const latest = { version: 1, score: 50, evaluationHash: "h" };
 * assert.equal(decidePromotion({ version: 2, score: 49.5, evaluationHash: "h" }, latest, 1).promoted, true);
 * assert.equal(decidePromotion({ version: 2, score: 48, evaluationHash: "h" }, latest, 1).promoted, false);
 * assert.equal(decidePromotion({ version: 2, score: 60, evaluationHash: "x" }, latest, 1).promoted, false);
 * ```
 */
export function decidePromotion(
  candidate: GateInput,
  latest: GateInput | undefined,
  tolerance: number,
): PromotionDecision {
  if (candidate.score === undefined || candidate.evaluationHash === undefined) {
    return {
      promoted: false,
      reason: "not evaluated (no built-in environment), so not compared: promote it by hand",
    };
  }
  if (latest === undefined) return { promoted: true, reason: "the policy's first latest version" };
  if (latest.score === undefined || latest.evaluationHash !== candidate.evaluationHash) {
    return {
      promoted: false,
      reason: `latest v${latest.version} was evaluated on other episodes (another environment, ` +
        `episode count or seeds), so the scores do not compare: promote it by hand`,
    };
  }
  const bar = latest.score - tolerance;
  const comparison = `score ${fixed(candidate.score)} %s latest v${latest.version}'s ` +
    `${fixed(latest.score)} - tolerance ${tolerance} = ${fixed(bar)} on the same episodes`;
  return candidate.score >= bar
    ? { promoted: true, reason: comparison.replace("%s", ">=") }
    : { promoted: false, reason: comparison.replace("%s", "<") };
}
