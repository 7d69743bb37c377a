import { fileURLToPath } from "node:url";
import { main } from "../../scripts/omiga.ts";

/** Runs the CLI in-process and returns its exit code and what it printed. */
export async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...parts: unknown[]) => out.push(parts.join(" "));
  console.error = (...parts: unknown[]) => err.push(parts.join(" "));
  try {
    const code = await main(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

/** The repository root, where the CLI runs from. */
export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * Runs the CLI as its own process on `home`, as a user's shell does (stdout not a terminal, so
 * progress comes as plain lines), and returns its exit code and output.
 */
export async function cliProcess(
  home: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/omiga.ts", ...args],
    cwd: REPO_ROOT,
    env: { OMIGA_HOME: home, NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
  return { code: result.code, stdout: decode(result.stdout), stderr: decode(result.stderr) };
}
