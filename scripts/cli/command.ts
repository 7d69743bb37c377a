/**
 * The shape of a CLI command: a name, one line of help, and a `run` that returns the exit code.
 *
 * @module
 */

/** A subcommand of `deno task omiga`. */
export interface Command {
  name: string;
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}
