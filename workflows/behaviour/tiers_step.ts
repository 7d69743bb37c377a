/**
 * The `tiers` step of `behaviour`, run in a Worker: plays and stores the run's five tiered
 * datasets (core/behaviour/tiers.ts), named `<task>-<tier>` so that a sweep or a train-evaluate
 * run finds the newest by name. Each manifest records the behaviour run, the actor's step and
 * file, the tier's return and the reference returns (the random and expert tiers' means).
 * Playing is deterministic, so a repeated attempt stores the same datasets (the store keeps one
 * copy of equal content).
 *
 * @module
 */
import { join } from "node:path";
import { type BackendName, selectBackend } from "../../core/backend/mod.ts";
import {
  chooseMedium,
  concatTiers,
  playTier,
  randomBehaviour,
  replayTraining,
  type TierData,
} from "../../core/behaviour/tiers.ts";
import {
  behaviourPolicy,
  BehaviourRun,
  decodeBehaviourPolicy,
} from "../../core/behaviour/trainer.ts";
import { type DatasetInfo, normalisedScore, type ReturnSummary } from "../../core/dataset.ts";
import { episodeSeed } from "../../core/envs/env.ts";
import { mujocoSpec } from "../../core/envs/mujoco/env.ts";
import { MUJOCO_TASKS } from "../../core/envs/mujoco/tasks.ts";
import { kernelsFor } from "../../core/kernels/mod.ts";
import { saveDataset } from "../../data/mod.ts";
import type { StepContext } from "../step.ts";
import type { BehaviourTiersInput, BehaviourTiersOutput, StoredTier } from "./types.ts";

/** Seed streams of the played tiers' episodes and of their actors' sampling. */
const STREAMS = { random: -10, medium: -11, expert: -12 } as const;
const SAMPLING = { random: -20, medium: -21, expert: -22 } as const;

/** Whether a's 95% interval lies wholly below b's. */
const below = (a: ReturnSummary, b: ReturnSummary) => a.ci95[1] < b.ci95[0];

/** Runs the step (exported for the Worker host). */
export async function storeBehaviourTiers(
  input: BehaviourTiersInput,
  ctx: StepContext,
): Promise<BehaviourTiersOutput> {
  await selectBackend({ backend: input.backend as BackendName | "auto" });
  const kernels = kernelsFor();
  const { settings, train, tierEpisodes } = input;
  const { env, seed, timeLimit } = settings;
  const started = performance.now();
  const read = (path: string) => Deno.readFile(join(ctx.artifactsDir, path));
  const total = 4 * tierEpisodes;
  let played = 0;
  const progress = (tier: string, episodes: number) => {
    played += episodes;
    ctx.progress({ unit: "episode", done: played, total, message: `${tier} played` });
  };
  const playActor = async (path: string, tier: "medium" | "expert") => {
    const file = decodeBehaviourPolicy(await read(path));
    const actor = behaviourPolicy(file, kernels, episodeSeed(seed, SAMPLING[tier]));
    try {
      const data = await playTier(
        env,
        timeLimit,
        actor.policy,
        tierEpisodes,
        episodeSeed(seed, STREAMS[tier]),
      );
      progress(tier, tierEpisodes);
      return { data, step: file.step };
    } finally {
      actor.dispose();
    }
  };

  const random = await playTier(
    env,
    timeLimit,
    randomBehaviour(env, episodeSeed(seed, SAMPLING.random)),
    tierEpisodes,
    episodeSeed(seed, STREAMS.random),
  );
  progress("random", tierEpisodes);
  const expert = await playActor(train.policy, "expert");
  const reference = { random: random.summary.mean, expert: expert.data.summary.mean };
  const choice = chooseMedium(train.snapshots, reference.expert, reference.random);
  const mediumSnapshot = train.snapshots.find((s) => s.step === choice.snapshot.step)!;
  ctx.log(
    `medium: the snapshot at step ${choice.snapshot.step} ` +
      `(${(100 * choice.fraction).toFixed(0)}% of the expert's return above random` +
      `${choice.inBand ? "" : ", the nearest to the third-to-half band"})`,
  );
  const medium = await playActor(mediumSnapshot.policy, "medium");
  const run = await BehaviourRun.open(settings, kernels, await read(train.run));
  let replayed: TierData;
  try {
    replayed = await replayTraining(
      env,
      timeLimit,
      MUJOCO_TASKS[env].partition,
      seed,
      run.replay,
      run.episodes,
      choice.snapshot.episodes,
    );
  } finally {
    run.dispose();
  }
  progress("medium-replay", tierEpisodes);

  const tierReturns = {
    random: random.summary,
    medium: medium.data.summary,
    expert: expert.data.summary,
  };
  const behaviourOf = (algorithm: string, step?: number, policy?: string) => ({
    run: ctx.runId,
    algorithm,
    ...(step === undefined ? {} : { step }),
    ...(policy === undefined ? {} : { policy }),
  });
  const tiers: [string, TierData, DatasetInfo["behaviour"]][] = [
    ["random", random, behaviourOf("random")],
    ["medium", medium.data, behaviourOf("sac", medium.step, mediumSnapshot.policy)],
    ["expert", expert.data, behaviourOf("sac", expert.step, train.policy)],
    ["medium-replay", replayed, behaviourOf("sac", medium.step, mediumSnapshot.policy)],
    [
      "medium-expert",
      concatTiers(medium.data, expert.data),
      behaviourOf("sac", expert.step, `${mediumSnapshot.policy}, ${train.policy}`),
    ],
  ];
  const stored: StoredTier[] = [];
  for (const [tier, data, behaviour] of tiers) {
    const info: DatasetInfo = {
      name: `${env}-${tier}`,
      env,
      envConfig: { timeLimit },
      tier,
      behaviourReturn: { mean: data.summary.mean, std: data.summary.std },
      reference,
      tierReturns,
      source: "behaviour",
      behaviour,
    };
    const manifest = await saveDataset(data.dataset, info, {
      home: ctx.home,
      expectedSpec: mujocoSpec(env),
    });
    stored.push({
      tier,
      datasetId: manifest.id,
      episodes: manifest.episodes,
      transitions: manifest.transitions,
      returns: data.summary,
      normalisedScore: normalisedScore(data.summary.mean, reference),
      ...(behaviour?.step === undefined ? {} : { step: behaviour.step }),
    });
  }
  return {
    medium: {
      step: choice.snapshot.step,
      fraction: choice.fraction,
      inBand: choice.inBand,
      evaluation: choice.snapshot.evaluation,
    },
    reference,
    tiers: stored,
    ordered: below(random.summary, medium.data.summary) &&
      below(medium.data.summary, expert.data.summary),
    seconds: (performance.now() - started) / 1000,
  };
}
