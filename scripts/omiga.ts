/**
 * The omiga-flow CLI: `deno task omiga <command> [flags]`.
 *
 * @module
 */
import { OmigaError } from "../core/errors.ts";
import { backendCommand } from "./cli/backend.ts";
import { generateCommand } from "./cli/generate.ts";
import { startCommand } from "./cli/start.ts";
import { sweepCommand } from "./cli/sweep.ts";
import { datasetsCommand } from "./cli/datasets.ts";
import { limitsCommand } from "./cli/limits.ts";
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
    return name === undefined ? 2 : 0;
  }
  const command = commands.find((c) => c.name === name);
  if (command === undefined) {
    console.error(`error: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (rest.includes("--help") || rest.includes("-h")) {
    console.log(`usage: deno task omiga ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof OmigaError) {
      console.error(`error: ${error.message}`);
      return 1;
    }
    if (
      error instanceof TypeError && "code" in error &&
      String(error.code).startsWith("ERR_PARSE_ARGS")
    ) {
      console.error(`error: ${error.message}\nusage: deno task omiga ${command.usage}`);
      return 2;
    }
    console.error(
      `error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return 1;
  }
}

if (import.meta.main) {
  Deno.exit(await main(Deno.args));
}
