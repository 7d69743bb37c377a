/**
 * `deno task omiga generate --env spread --tier medium --episodes 1000 --seed 0`: plays a
 * built-in behaviour tier and stores the canonical dataset with its manifest (behaviour and
 * reference returns included).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { ENV_NAMES, TIERS } from "../../core/envs/mod.ts";
import { ValidationError } from "../../core/errors.ts";
import { generateAndStore, parseGenerateParams } from "../../workflows/ingest.ts";
import type { Command } from "./command.ts";
import { flagName } from "./flags.ts";
import { ProgressView } from "./progress_view.ts";

function integerFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number)) {
    throw new ValidationError(`--${name}: expected an integer, got "${value}"`);
  }
  return number;
}

export const generateCommand: Command = {
  name: "generate",
  summary: "generate a built-in dataset (env x behaviour tier) into the store",
  usage: `generate --env ${ENV_NAMES.join("|")} --tier ${TIERS.join("|")} ` +
    "[--episodes 1000] [--seed 0] [--name NAME] [--config JSON] [--reference-episodes 200] " +
    "[--home DIR] [--json]",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        env: { type: "string" },
        tier: { type: "string" },
        episodes: { type: "string" },
        seed: { type: "string" },
        name: { type: "string" },
        config: { type: "string" },
        "reference-episodes": { type: "string" },
        home: { type: "string" },
        json: { type: "boolean" },
      },
      strict: true,
    });
    if (values.env === undefined) throw new ValidationError("--env is required");
    if (values.tier === undefined) throw new ValidationError("--tier is required");
    let envConfig: Record<string, unknown> | undefined;
    if (values.config !== undefined) {
      try {
        envConfig = JSON.parse(values.config);
      } catch (error) {
        throw new ValidationError(`--config: not JSON (${(error as Error).message})`);
      }
    }
    const view = new ProgressView(Deno.stderr.isTerminal(), (line) => console.error(line));
    const started = performance.now();
    let lastLine = 0;
    let lastDone = -1;
    const params = parseGenerateParams({
      env: values.env,
      tier: values.tier,
      episodes: integerFlag("episodes", values.episodes, 1000),
      seed: integerFlag("seed", values.seed, 0),
      ...(envConfig !== undefined ? { envConfig } : {}),
      ...(values["reference-episodes"] !== undefined
        ? {
          referenceEpisodes: integerFlag("reference-episodes", values["reference-episodes"], 200),
        }
        : {}),
      ...(values.name !== undefined ? { name: values.name } : {}),
    }, (path) => path[0] === "envConfig" ? "--config" : flagName(path));
    const manifest = await generateAndStore({
      ...params,
      onProgress: (done, total) => {
        // A bar on a terminal; elsewhere a line at most every 2 s, so logs stay short.
        const now = performance.now();
        if (done === lastDone) return;
        if (!Deno.stderr.isTerminal() && now - lastLine < 2000 && done < total) return;
        lastLine = now;
        lastDone = done;
        view.progress("generate", { unit: "episode", done, total });
      },
    }, { home: values.home });
    view.close();
    if (values.json) {
      console.log(JSON.stringify(manifest, null, 2));
      return 0;
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const behaviour = manifest.behaviourReturn;
    const reference = manifest.reference;
    console.log(
      `stored ${manifest.id}: ${manifest.episodes} episodes, ${manifest.rows} rows in ${seconds} s`,
    );
    if (behaviour) {
      console.log(`  behaviour return ${behaviour.mean.toFixed(2)} +- ${behaviour.std.toFixed(2)}`);
    }
    if (reference) {
      console.log(
        `  reference returns: random ${reference.random.toFixed(2)}, expert ${
          reference.expert.toFixed(2)
        }`,
      );
    }
    return 0;
  },
};
