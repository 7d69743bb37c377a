/**
 * Recording a batch of vectorised episodes as canonical dataset rows (README, "Dataset formats"):
 * the rows of one episode contiguous, t = 0.., `done` on a true terminal, `truncated` on a
 * time-limit cut, `avail` the mask of the row's observation.
 *
 * @module
 */
import type { CanonicalDataset, MultiAgentSpec } from "../dataset.ts";
import type { VecObservation, VecStep } from "./env.ts";
import type { RolloutRecorder } from "./rollout.ts";

/** The per-row arrays of a dataset, without its spec and size. */
type Rows = Omit<CanonicalDataset, "spec" | "size">;

/** Keeps a copy of every step of one rollout over B copies. */
export class BatchRecorder implements RolloutRecorder {
  readonly #spec: MultiAgentSpec;
  readonly #obs: Float32Array[] = [];
  readonly #state: Float32Array[] = [];
  readonly #avail: Uint8Array[] = [];
  readonly #action: (Float32Array | Int32Array)[] = [];
  readonly #reward: Float32Array[] = [];
  readonly #terminated: Uint8Array[] = [];
  readonly #truncated: Uint8Array[] = [];
  readonly #running: Uint8Array[] = [];

  constructor(spec: MultiAgentSpec) {
    this.#spec = spec;
  }

  chosen(_t: number, observation: VecObservation, actions: Float32Array | Int32Array): void {
    this.#obs.push(observation.obs.slice());
    this.#state.push(observation.state.slice());
    if (observation.avail) this.#avail.push(observation.avail.slice());
    this.#action.push(actions.slice());
  }

  stepped(_t: number, outcome: VecStep): void {
    this.#reward.push(outcome.reward.slice());
    this.#terminated.push(outcome.terminated.slice());
    this.#truncated.push(outcome.truncated.slice());
    this.#running.push(outcome.running.slice());
  }

  /**
   * The recorded episodes as canonical rows, copy after copy; copy b is episode
   * `firstEpisode + b`.
   */
  rows(numEnvs: number, firstEpisode: number): { size: number; rows: Rows } {
    const spec = this.#spec, n = spec.nAgents;
    const lengths = new Int32Array(numEnvs);
    for (const running of this.#running) for (let b = 0; b < numEnvs; b++) lengths[b] += running[b];
    const size = lengths.reduce((a, b) => a + b, 0);
    const obsWidth = n * spec.obsDim, stateWidth = n * spec.stateDim;
    const actionWidth = n * (spec.actionKind === "continuous" ? spec.actDim : 1);
    const availWidth = n * (spec.nActions ?? 0);
    const discrete = spec.actionKind === "discrete";
    const rows: Rows = {
      episode: new Int32Array(size),
      t: new Int32Array(size),
      obs: new Float32Array(size * obsWidth),
      state: new Float32Array(size * stateWidth),
      action: discrete ? new Int32Array(size * actionWidth) : new Float32Array(size * actionWidth),
      reward: new Float32Array(size),
      done: new Uint8Array(size),
      truncated: new Uint8Array(size),
    };
    const avail = discrete ? new Uint8Array(size * availWidth) : undefined;
    let row = 0;
    for (let b = 0; b < numEnvs; b++) {
      for (let t = 0; t < lengths[b]; t++, row++) {
        rows.episode[row] = firstEpisode + b;
        rows.t[row] = t;
        rows.obs.set(this.#obs[t].subarray(b * obsWidth, (b + 1) * obsWidth), row * obsWidth);
        rows.state.set(
          this.#state[t].subarray(b * stateWidth, (b + 1) * stateWidth),
          row * stateWidth,
        );
        const action = this.#action[t].subarray(b * actionWidth, (b + 1) * actionWidth);
        if (discrete) (rows.action as Int32Array).set(action, row * actionWidth);
        else (rows.action as Float32Array).set(action, row * actionWidth);
        if (avail) {
          avail.set(
            this.#avail[t].subarray(b * availWidth, (b + 1) * availWidth),
            row * availWidth,
          );
        }
        rows.reward[row] = this.#reward[t][b];
        rows.done[row] = this.#terminated[t][b];
        rows.truncated[row] = this.#truncated[t][b];
      }
    }
    if (avail) rows.avail = avail;
    return { size, rows };
  }
}

/** Concatenates row chunks, in order, into one dataset. */
export function concatRows(
  spec: MultiAgentSpec,
  chunks: { size: number; rows: Rows }[],
): CanonicalDataset {
  const size = chunks.reduce((a, c) => a + c.size, 0);
  const join = <T extends Float32Array | Int32Array | Uint8Array>(
    pick: (rows: Rows) => T | undefined,
    make: (length: number) => T,
  ): T => {
    const total = chunks.reduce((a, c) => a + (pick(c.rows)?.length ?? 0), 0);
    const out = make(total);
    let at = 0;
    for (const c of chunks) {
      const part = pick(c.rows);
      if (part === undefined) continue;
      (out as Uint8Array).set(part as Uint8Array, at);
      at += part.length;
    }
    return out;
  };
  const discrete = spec.actionKind === "discrete";
  const dataset: CanonicalDataset = {
    spec,
    size,
    episode: join((r) => r.episode, (l) => new Int32Array(l)),
    t: join((r) => r.t, (l) => new Int32Array(l)),
    obs: join((r) => r.obs, (l) => new Float32Array(l)),
    state: join((r) => r.state, (l) => new Float32Array(l)),
    action: discrete
      ? join((r) => r.action as Int32Array, (l) => new Int32Array(l))
      : join((r) => r.action as Float32Array, (l) => new Float32Array(l)),
    reward: join((r) => r.reward, (l) => new Float32Array(l)),
    done: join((r) => r.done, (l) => new Uint8Array(l)),
    truncated: join((r) => r.truncated, (l) => new Uint8Array(l)),
  };
  if (discrete) dataset.avail = join((r) => r.avail, (l) => new Uint8Array(l));
  return dataset;
}
