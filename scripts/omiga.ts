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

const commands: Command[] = [
  backendCommand,
  datasetsCommand,
  generateCommand,
  runCommand,
  runsCommand,
  workerCommand,
  limitsCommand,
  policiesCommand,
  schedulesCommand,
  startCommand,
  sweepCommand,
];

function usage(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return ["usage: deno task omiga <command> [flags]", "", "commands:", ...lines].join("\n");
}

/** Runs one CLI invocation and returns its exit code; errors become one clear line. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
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
