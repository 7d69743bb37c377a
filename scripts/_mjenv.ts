import { makeEnv, prepareEnv } from "../core/envs/mod.ts";
for (const name of ["hopper-3x1", "halfcheetah-6x1", "ant-2x4"]) {
  await prepareEnv(name);
  const env = makeEnv(name, 4);
  const o = env.reset(1);
  const actions = new Float32Array(env.numEnvs * env.spec.nAgents * env.spec.actDim);
  let total = 0, steps = 0, done = 0;
  const t0 = performance.now();
  for (let t = 0; t < 1000; t++) {
    for (let i = 0; i < actions.length; i++) actions[i] = Math.sin(t * 0.1 + i);
    const s = env.step(actions);
    total += s.reward[0];
    steps += s.running[0];
    done += s.terminated[0];
    if (!s.running.some((x) => x)) break;
  }
  const ms = performance.now() - t0;
  console.log(
    name,
    JSON.stringify(env.spec),
    "obs0",
    Array.from(o.obs.slice(0, 4)).map((x) => x.toFixed(3)),
    "return0",
    total.toFixed(1),
    "len0",
    steps,
    "term",
    done,
    "ms",
    ms.toFixed(0),
  );
  env.dispose?.();
}
