/**
 * One-step fidelity check of continuous BCQ-MA (`core/algorithms/bcq_ma.ts`) against sfujim/BCQ
 * `continuous_BCQ/BCQ.py`: our learner takes one step on a batch; `bcq_ma_reference.py`
 * (which imports BCQ.py from a clone of the reference at run time) loads the same initial weights, the same
 * batch and the same normal draws (our Rng's, before clipping, fed to `torch.randn_like` and
 * `torch.randn` in the order BCQ.py asks for them) and runs `BCQ.train` for one iteration. The
 * three losses and every vector after the step (live and targets) are compared.
 *
 * One agent, so that each row is one transition; BCQ.py's state is our [obs | id], the id a
 * constant 1. Reference widths (400-300, 750-750), batch 100.
 *
 * `deno run -A scripts/fidelity/bcq_ma.ts [--mirror DIR] [--python python3] [--backend cpu|wasm]`
 *
 * @module
 */
import { parseArgs } from "node:util";
import { selectBackend } from "../../core/backend/mod.ts";
import type { MultiAgentSpec } from "../../core/dataset.ts";
import { Learner } from "../../core/learn/learner.ts";
import { syntheticTransitions } from "../../core/learn/synthetic.ts";
import { referenceRepository } from "./reference.ts";

const VECTORS = ["vae", "actor", "critic", "actor_target", "critic_target"] as const;

async function vectorsOf(learner: Learner): Promise<Record<string, Float32Array>> {
  const { live, target } = learner.state;
  const read = async (t: { data(): Promise<unknown> }) =>
    new Float32Array(await t.data() as Float32Array);
  return {
    vae: await read(live.vae),
    actor: await read(live.actor),
    critic: await read(live.critic),
    actor_target: await read(target.actor),
    critic_target: await read(target.critic),
  };
}

function maxAbs(a: Float32Array, b: Float32Array) {
  let gap = 0;
  let scale = 0;
  let above = 0;
  for (let k = 0; k < a.length; k++) {
    if (Math.abs(a[k] - b[k]) > 1e-6) above++;
    gap = Math.max(gap, Math.abs(a[k] - b[k]));
    scale = Math.max(scale, Math.abs(b[k]));
  }
  return { maxAbsDiff: gap, maxAbsReference: scale, differingOver1e6: above, values: a.length };
}

async function main() {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      mirror: { type: "string" },
      python: { type: "string" },
      backend: { type: "string" },
    },
  });
  const mirror = referenceRepository(values.mirror, "OMIGA_REFERENCE_BCQ_MA", "sfujim/BCQ");
  const python = values.python ?? "python3";
  await selectBackend({ backend: (values.backend ?? "cpu") as "cpu" | "wasm" });
  const spec: MultiAgentSpec = {
    nAgents: 1,
    obsDim: 6,
    stateDim: 6,
    actionKind: "continuous",
    actDim: 3,
  };
  const learner = Learner.create(spec, { algorithm: "bcq-ma", seed: 3 });
  const { batchSize, targetSamples } = learner.config as unknown as {
    batchSize: number;
    targetSamples: number;
  };
  const batch = learner.sample(syntheticTransitions(spec, 500, 7));
  const before = await vectorsOf(learner);
  // The step's normal draws, replayed from a copy of the Rng: eps, target latents, actor latents.
  const replay = learner.rng.clone();
  const latent = 2 * spec.actDim;
  const normals = (n: number) => replay.fillNormal(new Float32Array(n * latent)) as Float32Array;
  const eps = normals(batchSize);
  const targetLatent = normals(batchSize * targetSamples);
  const actorLatent = normals(batchSize);
  learner.step(batch);
  const losses = (await learner.losses())!;
  const after = await vectorsOf(learner);
  learner.dispose();

  const folder = await Deno.makeTempDir();
  try {
    const files: Record<string, Float32Array> = {
      state: batch.obsWithId,
      action: batch.action!,
      next_state: batch.nextObsWithId,
      reward: batch.reward,
      not_done: batch.mask,
      eps,
      target_latent: targetLatent,
      actor_latent: actorLatent,
      vae: before.vae,
      actor: before.actor,
      critic: before.critic,
    };
    for (const [name, data] of Object.entries(files)) {
      await Deno.writeFile(
        `${folder}/${name}.f32`,
        new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      );
    }
    await Deno.writeTextFile(
      `${folder}/job.json`,
      JSON.stringify({
        batch: batchSize,
        state_dim: spec.obsDim + spec.nAgents,
        action_dim: spec.actDim,
        target_samples: targetSamples,
      }),
    );
    const script = new URL("./bcq_ma_reference.py", import.meta.url).pathname;
    const run = await new Deno.Command(python, {
      args: [script, mirror, folder],
      stderr: "inherit",
    }).output();
    if (!run.success) throw new Error(`${python} ${script} failed`);
    const reference = JSON.parse(await Deno.readTextFile(`${folder}/out.json`));
    const readBack = async (name: string) =>
      new Float32Array((await Deno.readFile(`${folder}/out_${name}.f32`)).buffer);
    const report: Record<string, unknown> = {
      losses: {
        ours: losses,
        reference: reference.losses,
        maxAbsDiff: Math.max(
          Math.abs(losses.vae - reference.losses.vae),
          Math.abs(losses.critic - reference.losses.critic),
          Math.abs(losses.actor - reference.losses.actor),
        ),
      },
    };
    for (const name of VECTORS) {
      const theirs = await readBack(name);
      const ours = after[name];
      const start = before[name.replace("_target", "") as "vae" | "actor" | "critic"];
      // How far the step moved the reference's values, for scale.
      report[name] = { ...maxAbs(ours, theirs), referenceMoved: maxAbs(start, theirs).maxAbsDiff };
    }
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await Deno.remove(folder, { recursive: true });
  }
}

await main();
