/**
 * What a policy file's architecture JSON must hold. A policy comes from disk or an upload, so
 * its architecture is untrusted: it is parsed against this schema (bounded widths and layer
 * counts, one tensor name pair per layer, an output rule this loader runs, widths that fit the
 * spec and the rule) before any network is built or any tensor allocated.
 *
 * @module
 */
import { z } from "zod";
import type { MultiAgentSpec } from "../dataset.ts";
import { OmigaError } from "../errors.ts";
import type { PolicyOutput } from "./algorithm.ts";
import type { PolicyArchitecture } from "./policy_export.ts";
import { MAX_DIMENSION, specSchema } from "./shapes.ts";

/** A policy file (weights or architecture) that this loader cannot run. */
export class PolicyError extends OmigaError {
  constructor(message: string, options?: ErrorOptions) {
    super("invalid_policy", message, options);
  }
}

/** The most layers one network of a policy may have. */
export const MAX_POLICY_LAYERS = 64;

const width = z.number().int().positive().max(MAX_DIMENSION);
const widths = z.array(width).min(2).max(MAX_POLICY_LAYERS + 1);
const layerNames = z.array(z.object({ weight: z.string(), bias: z.string() }));

const outputSchema: z.ZodType<PolicyOutput> = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tanh_gaussian_mean"), meanLimit: z.number().positive().nullable() }),
  z.object({ kind: z.literal("tanh") }),
  z.object({ kind: z.literal("categorical_argmax") }),
  z.object({
    kind: z.literal("bcq_candidates"),
    candidates: z.number().int().positive().max(1024),
    latentDim: width,
    latentClip: z.number().positive(),
    phi: z.number().nonnegative(),
    maxAction: z.number().positive(),
    seed: z.number().int(),
  }),
]);

const architectureSchema = z.object({
  format: z.literal("omiga-policy"),
  version: z.literal(1),
  spec: specSchema,
  input: z.literal("obs+agent_id"),
  inputLayout: z.unknown().optional(),
  widths,
  layers: layerNames,
  activation: z.string().optional(),
  output: outputSchema,
  algorithm: z.string().optional(),
  networks: z.array(z.object({ name: z.string(), widths, layers: layerNames })).max(8)
    .optional(),
});

/** The action kind each output rule acts in. */
const ACTION_KIND: Record<PolicyOutput["kind"], MultiAgentSpec["actionKind"]> = {
  tanh_gaussian_mean: "continuous",
  tanh: "continuous",
  categorical_argmax: "discrete",
  bcq_candidates: "continuous",
};

/**
 * `raw` checked as a policy architecture, or a {@link PolicyError} naming the field.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { parsePolicyArchitecture } from "./policy_file.ts";
 * assert.throws(() => parsePolicyArchitecture({ format: "omiga-policy", widths: "x" }), /widths/);
 * ```
 */
export function parsePolicyArchitecture(raw: unknown): PolicyArchitecture {
  const parsed = architectureSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) =>
      `${issue.path.length > 0 ? issue.path.join(".") : "(whole)"}: ${issue.message}`
    );
    throw new PolicyError(
      `the policy architecture is not one this loader runs: ${problems.join("; ")}`,
    );
  }
  const architecture = parsed.data as PolicyArchitecture;
  const { spec, output } = architecture;
  const networks = [
    { name: "policy", widths: architecture.widths, layers: architecture.layers },
    ...(architecture.networks ?? []),
  ];
  for (const network of networks) {
    if (network.layers.length !== network.widths.length - 1) {
      throw new PolicyError(
        `network "${network.name}" has ${network.widths.length} widths and ` +
          `${network.layers.length} layer names; it needs one name pair per layer`,
      );
    }
  }
  if (ACTION_KIND[output.kind] !== spec.actionKind) {
    throw new PolicyError(
      `output ${output.kind} acts on ${ACTION_KIND[output.kind]} actions, the spec's are ` +
        spec.actionKind,
    );
  }
  if (spec.actionKind === "discrete" && spec.nActions === undefined) {
    throw new PolicyError("spec.nActions is missing for discrete actions");
  }
  if (output.kind !== "bcq_candidates") checkEnds(architecture);
  return architecture;
}

/** The main MLP maps [obs | id] to what its output rule reads. */
function checkEnds({ spec, output, widths }: PolicyArchitecture): void {
  const inputs = spec.obsDim + spec.nAgents;
  const outputs = output.kind === "tanh_gaussian_mean"
    ? 2 * spec.actDim
    : output.kind === "tanh"
    ? spec.actDim
    : spec.nActions!;
  const ends = `${widths[0]}->${widths[widths.length - 1]}`;
  if (ends !== `${inputs}->${outputs}`) {
    throw new PolicyError(
      `policy maps ${ends}, but ${output.kind} for this spec needs ${inputs}->${outputs}`,
    );
  }
}
