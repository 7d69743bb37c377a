/**
 * The tensor bridge: from canonical rows to contiguous training transitions, and seeded batch
 * sampling over them. No per-row JavaScript objects: each run of consecutive transition starts is
 * copied as one block per field.
 *
 * Semantics (core/dataset.ts): row i's next fields are row i + 1 of the same episode, mask 1; a
 * terminal row (done = 1) is a transition with mask 0 and zero next fields; a row that ends its
 * episode without done (a time-limit cut, or the dataset's last row) has no next row and is not a
 * transition start.
 *
 * @module
 */
import type { CanonicalDataset, TransitionArrays } from "../core/dataset.ts";

/** Whether row `i` starts a transition: it is terminal, or its episode continues on row i + 1. */
export function isTransitionStart(dataset: CanonicalDataset, i: number): boolean {
  const { done, episode, size } = dataset;
  return done[i] === 1 || (i + 1 < size && episode[i + 1] === episode[i]);
}

/** The number of transitions {@link toTransitions} would build. */
export function countTransitions(dataset: CanonicalDataset): number {
  let count = 0;
  for (let i = 0; i < dataset.size; i++) if (isTransitionStart(dataset, i)) count++;
  return count;
}

/**
 * Builds the training transitions of a dataset.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { toTransitions } from "./transitions.ts";
 * const spec = { nAgents: 1, obsDim: 1, stateDim: 1, actionKind: "continuous", actDim: 1 } as const;
 * const transitions = toTransitions({
 *   spec, size: 3, episode: new Int32Array([0, 0, 0]), t: new Int32Array([0, 1, 2]),
 *   obs: new Float32Array([1, 2, 3]), state: new Float32Array([1, 2, 3]),
 *   action: new Float32Array([0, 0, 0]), reward: new Float32Array([1, 1, 1]),
 *   done: new Uint8Array([0, 0, 1]), truncated: new Uint8Array(3),
 * });
 * assert.ok(transitions.size === 3 && transitions.mask[2] === 0 && transitions.nextObs[1] === 3);
 * ```
 */
export function toTransitions(dataset: CanonicalDataset): TransitionArrays {
  const { spec } = dataset;
  const a = spec.nAgents;
  const m = countTransitions(dataset);
  const nActions = spec.nActions ?? 0;
  const ActionArray = dataset.action instanceof Int32Array ? Int32Array : Float32Array;
  const out: TransitionArrays = {
    spec,
    size: m,
    obs: new Float32Array(m * a * spec.obsDim),
    state: new Float32Array(m * a * spec.stateDim),
    action: new ActionArray(m * a * spec.actDim),
    reward: new Float32Array(m),
    mask: new Float32Array(m),
    nextObs: new Float32Array(m * a * spec.obsDim),
    nextState: new Float32Array(m * a * spec.stateDim),
    nextAction: new ActionArray(m * a * spec.actDim),
  };
  if (dataset.avail !== undefined) {
    out.avail = new Uint8Array(m * a * nActions);
    out.nextAvail = new Uint8Array(m * a * nActions);
  }
  const { done, size } = dataset;
  let written = 0;
  let i = 0;
  while (i < size) {
    if (!isTransitionStart(dataset, i)) {
      i++;
      continue;
    }
    // Rows [i, j) continue their episode on the next row; row j may be terminal.
    let j = i;
    while (j < size && done[j] === 0 && isTransitionStart(dataset, j)) j++;
    const end = j < size && done[j] === 1 ? j + 1 : j;
    const rows = end - i;
    const live = j - i;
    const block = <T extends Float32Array | Int32Array | Uint8Array>(
      from: T,
      to: T,
      width: number,
      first: number,
      count: number,
    ) => to.set(from.subarray(first * width, (first + count) * width), written * width);
    block(dataset.obs, out.obs, a * spec.obsDim, i, rows);
    block(dataset.state, out.state, a * spec.stateDim, i, rows);
    block(dataset.action, out.action, a * spec.actDim, i, rows);
    block(dataset.reward, out.reward, 1, i, rows);
    out.mask.fill(1, written, written + live);
    block(dataset.obs, out.nextObs, a * spec.obsDim, i + 1, live);
    block(dataset.state, out.nextState, a * spec.stateDim, i + 1, live);
    block(dataset.action, out.nextAction!, a * spec.actDim, i + 1, live);
    if (dataset.avail !== undefined) {
      block(dataset.avail, out.avail!, a * nActions, i, rows);
      block(dataset.avail, out.nextAvail!, a * nActions, i + 1, live);
    }
    written += rows;
    i = end;
  }
  return out;
}
