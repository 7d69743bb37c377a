/**
 * The omiga-flow CLI: `deno task omiga <command> [flags]`. Errors end a command with one line
 * on stderr and exit code 2 (the command as typed cannot run: a bad flag or value, an unknown
 * dataset or run) or 1 (it ran and failed); see `cli/errors.ts`.
 *
 * @module
 */
import { errorLine, EXIT, exitCodeOf } from "./cli/errors.ts";
import { backendCommand } from "./cli/backend.ts";
import { generateCommand } from "./cli/generate.ts";
import { startCommand } from "./cli/start.ts";
import { sweepCommand } from "./cli/sweep.ts";
import { datasetsCommand } from "./cli/datasets.ts";
import { limitsCommand } from "./cli/limits.ts";
import { policiesCommand } from "./cli/policies.ts";
import type { Command } from "./cli/command.ts";
import { runCommand } from "./cli/run.ts";
import { runsCommand } from "./cli/runs.ts";
import { schedulesCommand } from "./cli/schedules.ts";
import { workerCommand } from "./cli/worker.ts";
import { restateCommand } from "./cli/restate.ts";
import { engineKind } from "../workflows/restate/config.ts";
import { storeLocation } from "../workflows/store/store.ts";

const commands: Command[] = [
  backendCommand,
  datasetsCommand,
  generateCommand,
  runCommand,
  runsCommand,
  workerCommand,
  limitsCommand,
  policiesCommand,
  restateCommand,
  schedulesCommand,
  startCommand,
  sweepCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ["usage: deno task omiga <command> [flags]", "", "commands:", ...lines].join("\n");
}

/**
 * `args` without the global flags, which set variables for this process: `--engine NAME` (or
 * `--engine=NAME`) sets `OMIGA_ENGINE`, the engine every command's runs are driven by
 * (docs/restate.md); `--store URL` sets `OMIGA_STORE`, where runs, limits and policies live
 * (`sqlite` or a `postgres://` URL; docs/workflows.md).
 */
export function takeEngineFlag(args: string[]): string[] {
  const kept: string[] = [];
  const globals: Record<string, { variable: string; check: (value: string) => string }> = {
    "--engine": { variable: "OMIGA_ENGINE", check: engineKind },
    "--store": { variable: "OMIGA_STORE", check: (value) => storeLocation({ url: value }).url },
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const flag = Object.keys(globals).find((name) => arg === name || arg.startsWith(`${name}=`));
    if (flag === undefined) {
      kept.push(arg);
      continue;
    }
    const value = arg === flag ? args[++i] : arg.slice(flag.length + 1);
    Deno.env.set(globals[flag].variable, globals[flag].check(value ?? ""));
  }
  return kept;
}

/** Runs one CLI invocation and returns its exit code; errors become one clear line. */
export async function main(args: string[]): Promise<number> {
  let name: string | undefined, rest: string[];
  try {
    [name, ...rest] = takeEngineFlag(args);
  } catch (error) {
    console.error(errorLine(error));
    return exitCodeOf(error);
  }
  if (name === undefined || name === "help" || name === "--help" || name === "-h") {
    console.log(usage());
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`error: unknown command "${name}"; \`deno task omiga help\` lists the commands`);
    return EXIT.usage;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`usage: deno task omiga ${command.usage}`);
    return EXIT.ok;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    console.error(errorLine(error, `omiga ${command.usage}`));
    return exitCodeOf(error);
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
