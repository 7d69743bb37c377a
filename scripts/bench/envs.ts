/**
 * `deno task bench envs [--copies 1024] [--seconds 2]`: simulator throughput and dataset
 * generation time.
 *
 * - `spread` (3 agents) and `skirmish` (5 v 6): B vectorised copies stepped with a fixed,
 *   pre-drawn action stream (skirmish: each draw picks among the available actions), episodes
 *   reset as they finish; agent-steps per second counts every agent of every running copy.
 * - generation: the wall time of `generateDataset` for a 1,000-episode `spread` medium dataset
 *   in memory, once including the reference tiers' episodes (first call) and once with them
 *   cached.
 * - the MuJoCo tasks (`hopper-3x1`, `halfcheetah-6x1`, `ant-2x4`): the same stepping with at most
 *   64 copies, reported as environment steps per second (each of frameSkip physics steps), and
 *   a 10-episode evaluation (as train-evaluate's) of a freshly initialised 256-unit OMIGA policy
 *   on halfcheetah-6x1 on the default tensor backend (target under 5 s).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../../core/backend/mod.ts";
import { envSpec, evaluate, makeEnv, prepareEnv, type VecEnv } from "../../core/envs/mod.ts";
import { MUJOCO_TASK_NAMES } from "../../core/envs/mujoco/tasks.ts";
import { Learner } from "../../core/learn/learner.ts";
import { generateDataset } from "../../core/envs/generate.ts";
import { Rng } from "../../core/rng.ts";

/** Steps `env` for about `seconds` with a pre-drawn action stream; agent-steps per second. */
function throughput(env: VecEnv, seconds: number): Record<string, number> {
  const { nAgents, actionKind, nActions = 0 } = env.spec;
  const B = env.numEnvs, horizon = env.timeLimit;
  const rng = Rng.fromSeed(1);
  const width = actionKind === "continuous" ? env.spec.actDim : 1;
  const draws = new Float32Array(horizon * B * nAgents * width);
  rng.fillUniform(draws, -1, 1);
  const actions = actionKind === "continuous"
    ? new Float32Array(B * nAgents * width)
    : new Int32Array(B * nAgents);
  let agentSteps = 0, envSteps = 0, episodes = 0, round = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < seconds * 1000) {
    let observation = env.reset(round++);
    for (let t = 0; t < horizon; t++) {
      if (actions instanceof Float32Array) {
        actions.set(draws.subarray(t * actions.length, (t + 1) * actions.length));
      } else {
        const avail = observation.avail!;
        for (let r = 0; r < actions.length; r++) {
          let count = 0;
          for (let a = 0; a < nActions; a++) count += avail[r * nActions + a];
          let k = Math.floor((0.5 + 0.5 * draws[t * actions.length + r]) * count);
          for (let a = 0; a < nActions; a++) {
            if (avail[r * nActions + a] && k-- === 0) {
              actions[r] = a;
              break;
            }
          }
        }
      }
      const step = env.step(actions);
      let running = 0;
      for (let b = 0; b < B; b++) {
        running += step.running[b];
        episodes += step.terminated[b] + step.truncated[b];
      }
      agentSteps += running * nAgents;
      envSteps += running;
      observation = step;
      if (running === 0) break;
    }
    elapsed = performance.now() - start;
  }
  return {
    copies: B,
    agents: nAgents,
    agentSteps,
    episodes,
    seconds: elapsed / 1000,
    agentStepsPerSecond: Math.round(agentSteps / (elapsed / 1000)),
    envStepsPerSecond: Math.round(envSteps / (elapsed / 1000)),
  };
}

/** The MuJoCo tasks' throughput with `copies` copies each. */
async function mujocoThroughput(copies: number, seconds: number) {
  const out: Record<string, unknown> = {};
  for (const name of MUJOCO_TASK_NAMES) {
    await prepareEnv(name);
    const env = makeEnv(name, copies);
    try {
      out[name] = throughput(env, seconds);
    } finally {
      env.dispose?.();
    }
  }
  return out;
}

/** Seconds of a 10-episode evaluation of a 256-unit OMIGA policy on halfcheetah-6x1. */
async function evaluationSeconds(): Promise<Record<string, unknown>> {
  const backend = await selectBackend({});
  await prepareEnv("halfcheetah-6x1");
  const learner = Learner.create(envSpec("halfcheetah-6x1"), { seed: 0 });
  const policy = await learner.policy();
  learner.dispose();
  const start = performance.now();
  const report = await evaluate(policy, "halfcheetah-6x1", { episodes: 10, seeds: [100_000] });
  const seconds = (performance.now() - start) / 1000;
  policy.dispose();
  return {
    backend: backend.backend,
    episodes: report.returns.length,
    steps: report.lengths.reduce((a, b) => a + b, 0),
    seconds,
    targetSeconds: 5,
  };
}

async function generationSeconds(): Promise<number> {
  const start = performance.now();
  const { dataset } = await generateDataset({
    env: "spread",
    tier: "medium",
    episodes: 1000,
    seed: 0,
  });
  if (dataset.size !== 25_000) throw new Error(`expected 25000 rows, got ${dataset.size}`);
  return (performance.now() - start) / 1000;
}

/** Runs the environment benchmark; `args` are the CLI flags after `envs`. */
export async function benchEnvs(args: string[]): Promise<Record<string, unknown>> {
  const { values } = parseArgs({
    args,
    options: { copies: { type: "string" }, seconds: { type: "string" } },
    strict: true,
  });
  const copies = Number(values.copies ?? 1024), seconds = Number(values.seconds ?? 2);
  const spread = throughput(makeEnv("spread", copies), seconds);
  const skirmish = throughput(makeEnv("skirmish", copies), seconds);
  const generateCold = await generationSeconds();
  const generateWarm = await generationSeconds();
  const mujoco = await mujocoThroughput(Math.min(copies, 64), seconds);
  const evaluation = await evaluationSeconds();
  return {
    bench: "envs",
    spread: { ...spread, target: 1_000_000 },
    skirmish: { ...skirmish, target: 200_000 },
    generateSpread1000: {
      episodes: 1000,
      secondsWithReference: generateCold,
      secondsReferenceCached: generateWarm,
      targetSeconds: 5,
    },
    mujoco,
    evaluateHalfCheetah10: evaluation,
  };
}
