/**
 * `deno task omiga backend [--backend NAME] [--allow-software-gpu] [--json]`: starts the tensor
 * backend that training would use and reports which one, why, and (for wasm) SIMD and threads.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { backendChoiceFrom, describeBackend, selectBackend } from "../../core/backend/mod.ts";
import type { Command } from "./command.ts";

/** Whether `--allow-software-gpu` or `OMIGA_ALLOW_SOFTWARE_GPU=1` asked for llvmpipe. */
export function allowSoftwareGpuFrom(flag: boolean | undefined): boolean {
  return flag === true || Deno.env.get("OMIGA_ALLOW_SOFTWARE_GPU") === "1";
}

export const backendCommand: Command = {
  name: "backend",
  summary: "start the tensor backend and report which one runs, and why",
  usage: "backend [--backend auto|tensorflow|webgpu|wasm|cpu] [--allow-software-gpu] [--json]",
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        backend: { type: "string" },
        "allow-software-gpu": { type: "boolean" },
        json: { type: "boolean" },
      },
      strict: true,
    });
    const report = await selectBackend({
      backend: backendChoiceFrom(values.backend),
      allowSoftwareGpu: allowSoftwareGpuFrom(values["allow-software-gpu"]),
    });
    if (values.json) {
      console.log(JSON.stringify(report, null, 2));
      return 0;
    }
    console.log(describeBackend(report));
    for (const attempt of report.attempts) {
      if (attempt.backend === report.backend) continue;
      console.log(`  skipped ${attempt.backend}: ${attempt.reason}`);
    }
    return 0;
  },
};
