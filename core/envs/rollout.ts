/**
 * Plays one episode in every copy of a vectorised environment with one policy, one `act` call
 * per step for all copies, and returns each copy's return, length and outcome. The generator
 * records transitions through the `onStep` hook; evaluation only needs the totals.
 *
 * @module
 */
import type { Policy } from "../policy.ts";
import type { VecEnv, VecObservation, VecStep } from "./env.ts";
import { ValidationError } from "../errors.ts";

/** Per-copy results of one round of episodes. */
export interface RolloutResult {
  /** [B] undiscounted team return. */
  returns: Float64Array;
  /** [B] number of steps. */
  lengths: Int32Array;
  /** [B] 1 = true terminal, 0 = cut by the time limit. */
  terminated: Uint8Array;
  /** [B] 1 = won (environments with a winner). */
  won: Uint8Array;
}

/**
 * Watches a rollout step by step. The arrays are the environment's own buffers, overwritten by
 * the next step: copy what you keep.
 */
export interface RolloutRecorder {
  /** Step t's actions were chosen from `observation`; called before the environment steps. */
  chosen(t: number, observation: VecObservation, actions: Float32Array | Int32Array): void;
  /** Step t's outcome. */
  stepped(t: number, outcome: VecStep): void;
}

/**
 * Steps between two yields of a rollout to its thread's event loop. A policy's `act` resolves in
 * microtasks, so without these a long evaluation would hold off every timer and message of its
 * thread: a training team's heartbeat (docs/threads.md), a step Worker's abort message.
 */
const YIELD_EVERY_STEPS = 200;

/**
 * Resets `env` with `seeds` and steps it with `policy` until every copy's episode has ended.
 * With `signal`, it stops with the signal's reason once that aborts (checked at each yield).
 */
export async function rollout(
  env: VecEnv,
  policy: Policy,
  seeds: number | ArrayLike<number>,
  recorder?: RolloutRecorder,
  signal?: AbortSignal,
): Promise<RolloutResult> {
  signal?.throwIfAborted();
  checkSpec(env, policy);
  const B = env.numEnvs;
  const returns = new Float64Array(B);
  const lengths = new Int32Array(B);
  const terminated = new Uint8Array(B);
  let current: VecObservation = env.reset(seeds);
  let open = B;
  for (let t = 0; open > 0; t++) {
    const actions = await policy.act(current.obs, current.avail);
    recorder?.chosen(t, current, actions);
    const after = env.step(actions);
    recorder?.stepped(t, after);
    for (let b = 0; b < B; b++) {
      if (!after.running[b]) continue;
      returns[b] += after.reward[b];
      lengths[b]++;
      if (after.terminated[b] || after.truncated[b]) {
        terminated[b] = after.terminated[b];
        open--;
      }
    }
    current = after;
    if (t % YIELD_EVERY_STEPS === YIELD_EVERY_STEPS - 1) {
      await new Promise((resolve) => setTimeout(resolve, 0));
      signal?.throwIfAborted();
    }
  }
  return { returns, lengths, terminated, won: env.won().slice() };
}

function checkSpec(env: VecEnv, policy: Policy): void {
  const e = env.spec, p = policy.spec;
  if (
    e.nAgents !== p.nAgents || e.obsDim !== p.obsDim || e.actionKind !== p.actionKind ||
    e.actDim !== p.actDim || (e.nActions ?? 0) !== (p.nActions ?? 0)
  ) {
    throw new ValidationError(
      `policy spec ${JSON.stringify(p)} does not fit environment ${env.name} ${JSON.stringify(e)}`,
    );
  }
}
