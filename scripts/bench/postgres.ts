/**
 * A throwaway PostgreSQL server for the tests and benchmarks of the store on PostgreSQL
 * (`OMIGA_STORE=postgres://...`): `initdb` into a temporary folder, `postgres` on a free loopback
 * port, a fresh database per caller, and everything removed on stop. The binaries come from
 * Debian (`apt-get install postgresql`; `.ci/run` installs it); tests that need them are ignored
 * where they are missing, unless `OMIGA_REQUIRE_POSTGRES=1` makes their absence a failure.
 * PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user the
 * package creates.
 *
 * @module
 */
import { join } from "node:path";
import pg from "pg";
import { freePort, pollUntil, stopProcess } from "../../workflows/restate/local.ts";
import { createDatabase } from "../../workflows/store/postgres.ts";

/** The folder holding `initdb` and `postgres`, or undefined. */
export function postgresBinDir(): string | undefined {
  const candidates = [Deno.env.get("OMIGA_POSTGRES_BIN")];
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")].map((entry) => entry.name)
      .sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => `/usr/lib/postgresql/${version}/bin`));
  } catch {
    // No Debian PostgreSQL.
  }
  for (const dir of candidates) {
    if (dir === undefined || dir === "") continue;
    try {
      Deno.statSync(join(dir, "postgres"));
      Deno.statSync(join(dir, "initdb"));
      return dir;
    } catch {
      // Not there.
    }
  }
  return undefined;
}

/** Whether the tests that need PostgreSQL should be ignored here. */
export function postgresUnavailable(): boolean {
  return postgresBinDir() === undefined && Deno.env.get("OMIGA_REQUIRE_POSTGRES") !== "1";
}

/** A running server. */
export interface LocalPostgres {
  /** The server's `postgres` database, as the superuser `omiga`. */
  url: string;
  /** Creates a new, empty database and returns its URL. */
  database(name?: string): string;
  /** Kills the server with SIGKILL (a crash); it stays down until {@link start}. */
  kill(): Promise<void>;
  /** Starts a killed server again on its data and port. */
  start(): Promise<void>;
  /** {@link kill}, then {@link start}. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** The uid and gid of the `postgres` user, when this process is root and it exists. */
async function postgresUser(): Promise<{ uid: number; gid: number } | undefined> {
  if (Deno.uid() !== 0) return undefined;
  const id = async (flag: string) => {
    const output = await new Deno.Command("id", { args: [flag, "postgres"], stderr: "null" })
      .output();
    if (!output.success) {
      throw new Error("as root, PostgreSQL needs the postgres user (apt-get install postgresql)");
    }
    return Number(new TextDecoder().decode(output.stdout).trim());
  };
  return { uid: await id("-u"), gid: await id("-g") };
}

/** Starts a server in a new folder under `dir` (default: a temporary one). */
export async function startLocalPostgres(dir?: string): Promise<LocalPostgres> {
  const bin = postgresBinDir();
  if (bin === undefined) throw new Error("no PostgreSQL found: apt-get install postgresql");
  const root = await Deno.makeTempDir({ dir, prefix: "omiga-postgres-" });
  const user = await postgresUser();
  if (user !== undefined) await Deno.chown(root, user.uid, user.gid);
  const data = join(root, "data");
  // Started as the postgres user directly (not through runuser), so that signals reach it.
  const run = (program: string, args: string[], output: "null" | "piped" = "piped") =>
    new Deno.Command(join(bin, program), {
      args,
      stdout: output,
      stderr: output,
      ...(user === undefined ? {} : { uid: user.uid, gid: user.gid }),
    });
  const init = await run("initdb", [
    "-D",
    data,
    "-U",
    "omiga",
    "-A",
    "trust",
    "-E",
    "UTF8",
    "--no-locale",
  ]).output();
  if (!init.success) throw new Error(`initdb failed: ${new TextDecoder().decode(init.stderr)}`);
  const port = freePort();
  const url = `postgres://omiga@127.0.0.1:${port}/postgres`;
  let server: Deno.ChildProcess | undefined;
  const start = async () => {
    server = run("postgres", [
      "-D",
      data,
      "-p",
      String(port),
      "-k",
      root,
      "-c",
      "listen_addresses=127.0.0.1",
      // A test server: a crash of the machine loses nothing a test keeps.
      "-c",
      "fsync=off",
      "-c",
      "max_connections=200",
    ], "null").spawn();
    const process = server;
    let exited = false;
    process.status.then(() => exited = true);
    await pollUntil(
      async () => {
        const client = new pg.Client({ connectionString: url });
        try {
          await client.connect();
          return true;
        } catch {
          return false;
        } finally {
          await client.end().catch(() => {});
        }
      },
      30_000,
      (reason) =>
        new Error(
          reason === "gone"
            ? `PostgreSQL exited on start (its data is in ${data})`
            : `PostgreSQL did not answer on port ${port} within 30 s`,
        ),
      () => exited,
    );
  };
  const kill = async () => {
    if (server !== undefined) await stopProcess(server, "SIGKILL");
    server = undefined;
  };
  // A process that ends without stop() (a filtered test run, an interrupted bench) leaves no
  // server or folder behind.
  const leftovers = () => {
    try {
      server?.kill("SIGKILL");
    } catch {
      // Already gone.
    }
    Deno.removeSync(root, { recursive: true });
  };
  globalThis.addEventListener("unload", leftovers);
  await start();
  let databases = 0;
  return {
    url,
    database: (name = `omiga_${++databases}`) => createDatabase(url, name),
    kill,
    start,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      globalThis.removeEventListener("unload", leftovers);
      if (server !== undefined) await stopProcess(server, "SIGINT");
      await Deno.remove(root, { recursive: true }).catch(() => {});
    },
  };
}
