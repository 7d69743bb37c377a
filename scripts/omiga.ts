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
 * `args` without a global `--engine NAME` (or `--engine=NAME`), which sets `OMIGA_ENGINE` for
 * this process: the engine every command's runs are driven by (docs/restate.md).
 */
export function takeEngineFlag(args: string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--engine" || arg.startsWith("--engine=")) {
      const value = arg === "--engine" ? args[++i] : arg.slice("--engine=".length);
      Deno.env.set("OMIGA_ENGINE", engineKind(value ?? ""));
    } else kept.push(arg);
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
