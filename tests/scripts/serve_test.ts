/**
 * `deno task serve` ends an error with one line and the CLI's exit codes: 2 for a bad flag, 1
 * for a server that cannot start (a port in use), never a stack trace.
 */
import { assert, assertEquals } from "../assert.ts";
import { REPO_ROOT } from "./run_cli.ts";

async function serve(home: string, ...args: string[]) {
  return await serveWith({}, home, ...args);
}

async function serveWith(env: Record<string, string>, home: string, ...args: string[]) {
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "scripts/serve.ts", ...args],
    cwd: REPO_ROOT,
    env: { OMIGA_HOME: home, NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: result.code, stderr: new TextDecoder().decode(result.stderr).trim() };
}

Deno.test("serve: a port in use and an unknown flag are one line each, exit 1 and 2", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-serve-" });
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const inUse = await serve(home, "--port", String(taken.addr.port));
  assertEquals(inUse.code, 1, inUse.stderr);
  assertEquals(inUse.stderr.split("\n").length, 1, inUse.stderr);
  assert(inUse.stderr.startsWith(`error: port ${taken.addr.port} on 127.0.0.1 is already in use`));
  assert(inUse.stderr.includes("--port"), inUse.stderr);

  const unknown = await serve(home, "--prot", "1");
  assertEquals(unknown.code, 2, unknown.stderr);
  assertEquals(unknown.stderr.split("\n").length, 1, unknown.stderr);
  assert(unknown.stderr.includes("--prot") && unknown.stderr.includes("usage:"), unknown.stderr);
  Deno.removeSync(home, { recursive: true });
});

Deno.test("serve --engine restate: no unsigned endpoint off loopback, and Restate not reachable is one line", async () => {
  const home = Deno.makeTempDirSync({ prefix: "omiga-serve-restate-" });
  const unknown = await serve(home, "--engine", "temporal");
  assertEquals(unknown.code, 2, unknown.stderr);
  assert(unknown.stderr.includes(`OMIGA_ENGINE must be sqlite or restate, got "temporal"`));

  const exposed = await serveWith(
    { OMIGA_TOKEN: "t" },
    home,
    "--engine",
    "restate",
    "--host",
    "0.0.0.0",
  );
  assertEquals(exposed.code, 2, exposed.stderr);
  assert(exposed.stderr.includes("OMIGA_RESTATE_IDENTITY_KEYS"), exposed.stderr);

  const unreachable = await serveWith(
    { OMIGA_RESTATE_ADMIN: "http://127.0.0.1:9" },
    home,
    "--engine",
    "restate",
    "--port",
    "0",
  );
  const lines = unreachable.stderr.split("\n").filter((line) => line.startsWith("error:"));
  assertEquals(unreachable.code, 1);
  assertEquals(lines.length, 1, lines.join("\n"));
  assert(lines[0].includes("cannot reach Restate's admin API at http://127.0.0.1:9"), lines[0]);
  Deno.removeSync(home, { recursive: true });
});
