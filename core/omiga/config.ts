/**
 * OMIGA's configuration: one zod schema with the paper's defaults (DESIGN.md section 5), shared
 * by CLI flags, HTTP bodies and files.
 *
 * @module
 */
import { z } from "zod";
import { ValidationError } from "../errors.ts";

/** `omiga` is the algorithm; `omiga-local` drops the mixer (w = 1, b = 0); `bc` weights 1. */
export const OMIGA_ALGORITHMS = ["omiga", "omiga-local", "bc"] as const;

/** One of {@link OMIGA_ALGORITHMS}. */
export type OmigaAlgorithm = typeof OMIGA_ALGORITHMS[number];

/** Whether `algorithm` has a regularisation temperature (bc does not). */
export function hasAlpha(algorithm: OmigaAlgorithm): boolean {
  return algorithm !== "bc";
}

const positiveInt = z.number().int().positive();
const learningRate = z.number().positive().max(1);

/** The schema: every field optional on input, defaulted to the paper's value. */
export const omigaConfigSchema = z.object({
  algorithm: z.enum(OMIGA_ALGORITHMS).default("omiga"),
  /** Seeds initialisation and batch sampling. */
  seed: z.number().int().min(0).max(2 ** 31 - 1).default(0),
  batchSize: positiveInt.max(1 << 16).default(128),
  /** Width of both hidden layers of the policy, Q and V networks. */
  hiddenSize: positiveInt.max(4096).default(256),
  /** Width of the mixer's hidden layer. */
  mixerHiddenSize: positiveInt.max(4096).default(64),
  policyLr: learningRate.default(5e-4),
  qLr: learningRate.default(5e-4),
  vLr: learningRate.default(5e-4),
  gamma: z.number().min(0).max(1).default(0.99),
  tau: z.number().gt(0).max(1).default(0.005),
  /** Regularisation temperature. */
  alpha: z.number().positive().default(10),
  /** Gradient-norm clip, per optimiser. */
  gradClip: z.number().positive().default(1.0),
  adamBeta1: z.number().min(0).lt(1).default(0.9),
  adamBeta2: z.number().min(0).lt(1).default(0.999),
  adamEps: z.number().positive().default(1e-8),
}).strict();

/** A complete configuration (after defaults). */
export type OmigaConfig = z.output<typeof omigaConfigSchema>;

/** What a caller may pass: any subset of {@link OmigaConfig}. */
export type OmigaConfigInput = z.input<typeof omigaConfigSchema>;

/**
 * Validates a configuration and fills the paper's defaults; a bad value is a
 * {@link ValidationError} naming the field.
 *
 * @example
 * ```ts
 * import { parseOmigaConfig } from "./config.ts";
 * const config = parseOmigaConfig({ alpha: 1 });
 * console.assert(config.batchSize === 128 && config.alpha === 1);
 * ```
 */
export function parseOmigaConfig(input: unknown = {}): OmigaConfig {
  const result = omigaConfigSchema.safeParse(input ?? {});
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) =>
    `${issue.path.join(".") || "(config)"}: ${issue.message}`
  );
  throw new ValidationError(`invalid OMIGA config: ${problems.join("; ")}`);
}
