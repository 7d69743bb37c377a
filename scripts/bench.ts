/**
 * `deno task bench <name> [flags]`: runs one benchmark and prints its result as JSON.
 *
 * @module
 */
import { OmigaError } from "../core/errors.ts";
import { benchAct } from "./bench/act.ts";
import { benchBehaviour } from "./bench/behaviour.ts";
import { benchData } from "./bench/data.ts";
import { benchEngine } from "./bench/engine.ts";
import { benchEnvs } from "./bench/envs.ts";
import { benchHttp } from "./bench/http.ts";
import { benchMatmul } from "./bench/matmul.ts";
import { benchRestate } from "./bench/restate.ts";
import { benchStep } from "./bench/step.ts";
import { benchSweep } from "./bench/sweep.ts";
import { benchTrain } from "./bench/train.ts";

const benches: Record<string, (args: string[]) => Promise<Record<string, unknown>>> = {
  act: benchAct,
  behaviour: benchBehaviour,
  data: benchData,
  engine: benchEngine,
  envs: benchEnvs,
  http: benchHttp,
  matmul: benchMatmul,
  restate: benchRestate,
  step: benchStep,
  sweep: benchSweep,
  train: benchTrain,
};

if (import.meta.main) {
  const [name, ...rest] = Deno.args;
  const bench = name === undefined ? undefined : benches[name];
  if (bench === undefined) {
    console.error(`usage: deno task bench <${Object.keys(benches).join("|")}> [flags]`);
    Deno.exit(2);
  }
  try {
    console.log(JSON.stringify(await bench(rest), null, 2));
    Deno.exit(0);
  } catch (error) {
    console.error(`error: ${error instanceof OmigaError ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
