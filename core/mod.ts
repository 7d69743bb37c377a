/**
 * The maths of omiga-flow: tensor backends, networks, OMIGA, its ablations and the baselines, training, checkpoints, the
 * built-in multi-agent environments and their behaviour policies, evaluation. Imports nothing
 * from `data/`, `workflows/` or `handlers/`, and knows nothing of HTTP or SQL.
 *
 * @module
 */
export * from "./backend/mod.ts";
export * from "./envs/mod.ts";
export * from "./errors.ts";
export * from "./checkpoint/mod.ts";
export * from "./learn/mod.ts";
