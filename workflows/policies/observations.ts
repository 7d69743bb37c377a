/**
 * A batch of observations as JSON (`[B][nAgents][obsDim]`, with available-action masks
 * `[B][nAgents][nActions]` for discrete actions) checked against a policy's spec and packed
 * into the flat arrays {@link LoadedPolicy.act} takes; and its actions back as nested arrays.
 * The HTTP endpoint, the CLI and the Worker pool share it, so a bad shape reads the same
 * everywhere: a {@link ValidationError} naming the expected shape and where the batch departs
 * from it.
 *
 * @module
 */
import type { MultiAgentSpec } from "../../core/dataset.ts";
import { ValidationError } from "../../core/errors.ts";

/** A batch as sent: observations, and masks for discrete actions (1: available). */
export interface ObservationBatch {
  observations: unknown;
  availActions?: unknown;
}

/** The packed batch: `obs` [B * nAgents * obsDim], `avail` [B * nAgents * nActions]. */
export interface PackedBatch {
  copies: number;
  obs: Float32Array;
  avail?: Uint8Array;
}

/** The largest batch one request may hold (environment copies). */
export const MAX_BATCH = 4096;

function pack(
  value: unknown,
  field: string,
  dims: [number, number],
  names: [string, string],
  out: (copies: number) => Float32Array | Uint8Array,
  isValue: (x: unknown) => boolean,
): { copies: number; data: Float32Array | Uint8Array } {
  const shape = `[B, ${dims[0]}, ${dims[1]}] (B copies x ${names[0]} x ${names[1]})`;
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_BATCH) {
    throw new ValidationError(
      `${field}: expected shape ${shape} with 1 <= B <= ${MAX_BATCH}, got ${
        Array.isArray(value) ? `${value.length} copies` : typeof value
      }`,
    );
  }
  const data = out(value.length);
  let at = 0;
  value.forEach((copy, b) => {
    if (!Array.isArray(copy) || copy.length !== dims[0]) {
      throw new ValidationError(
        `${field}[${b}]: expected ${dims[0]} rows (${names[0]}) of shape ${shape}, got ${
          Array.isArray(copy) ? copy.length : typeof copy
        }`,
      );
    }
    copy.forEach((row, i) => {
      if (!Array.isArray(row) || row.length !== dims[1]) {
        throw new ValidationError(
          `${field}[${b}][${i}]: expected ${dims[1]} values (${names[1]}) of shape ${shape}, ` +
            `got ${Array.isArray(row) ? row.length : typeof row}`,
        );
      }
      for (let k = 0; k < row.length; k++) {
        if (!isValue(row[k])) {
          throw new ValidationError(
            `${field}[${b}][${i}][${k}]: ${JSON.stringify(row[k])} is not allowed here`,
          );
        }
        data[at++] = row[k] as number;
      }
    });
  });
  return { copies: value.length, data };
}

/**
 * Checks and packs `batch` for a policy of shape `spec`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { packObservations } from "./observations.ts";
 * const spec = { nAgents: 2, obsDim: 1, stateDim: 1, actionKind: "continuous" as const, actDim: 1 };
 * assert.deepEqual([...packObservations(spec, { observations: [[[1], [2]]] }).obs], [1, 2]);
 * assert.throws(() => packObservations(spec, { observations: [[[1]]] }), /expected 2 rows/);
 * ```
 */
export function packObservations(spec: MultiAgentSpec, batch: ObservationBatch): PackedBatch {
  const finite = (x: unknown) => typeof x === "number" && Number.isFinite(x);
  const obs = pack(
    batch.observations,
    "observations",
    [spec.nAgents, spec.obsDim],
    ["nAgents", "obsDim"],
    (b) => new Float32Array(b * spec.nAgents * spec.obsDim),
    finite,
  );
  if (batch.availActions === undefined) {
    return { copies: obs.copies, obs: obs.data as Float32Array };
  }
  if (spec.actionKind !== "discrete") {
    throw new ValidationError("availActions: this policy's actions are continuous; send none");
  }
  const nActions = spec.nActions ?? 0;
  const avail = pack(
    batch.availActions,
    "availActions",
    [spec.nAgents, nActions],
    ["nAgents", "nActions"],
    (b) => new Uint8Array(b * spec.nAgents * nActions),
    (x) => x === 0 || x === 1,
  );
  if (avail.copies !== obs.copies) {
    throw new ValidationError(
      `availActions: ${avail.copies} copies, observations ${obs.copies}: send one mask per copy`,
    );
  }
  return { copies: obs.copies, obs: obs.data as Float32Array, avail: avail.data as Uint8Array };
}

/** Flat actions as `[B][nAgents]` indices (discrete) or `[B][nAgents][actDim]` values. */
export function unpackActions(
  spec: MultiAgentSpec,
  actions: Float32Array | Int32Array,
): number[][] | number[][][] {
  const per = spec.actionKind === "discrete" ? 1 : spec.actDim;
  const copies = actions.length / (spec.nAgents * per);
  return Array.from({ length: copies }, (_, b) =>
    Array.from({ length: spec.nAgents }, (_, i) => {
      const start = (b * spec.nAgents + i) * per;
      return spec.actionKind === "discrete"
        ? actions[start]
        : Array.from(actions.subarray(start, start + per));
    })) as number[][] | number[][][];
}
