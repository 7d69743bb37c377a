/**
 * `deno task test:postgres [deno test flags]`: the workflow engine's and the HTTP API's tests
 * again, with every test store in a new database on a throwaway PostgreSQL server (started from
 * Debian's binaries, `scripts/bench/postgres.ts`) instead of a SQLite file. The tests' own
 * fixtures read `OMIGA_TEST_POSTGRES` (`tests/workflows/test_engine.ts`); `.ci/run` runs this
 * after `deno task test` and counts both reports.
 *
 * @module
 */
import { startLocalPostgres } from "./bench/postgres.ts";

/** The suites that run on PostgreSQL: everything that opens stores through the fixtures. */
export const POSTGRES_SUITES = [
  "tests/workflows/cadence_test.ts",
  "tests/workflows/cancellation_test.ts",
  "tests/workflows/concurrency_test.ts",
  "tests/workflows/engine_test.ts",
  "tests/workflows/events_test.ts",
  "tests/workflows/expanded_steps_test.ts",
  "tests/workflows/graph_process_test.ts",
  "tests/workflows/graph_test.ts",
  "tests/workflows/lease_test.ts",
  "tests/workflows/scheduler_test.ts",
  "tests/workflows/takeover_process_test.ts",
  "tests/workflows/worker_test.ts",
  "tests/workflows/store/",
  "tests/workflows/policies/",
  "tests/handlers/",
];

if (import.meta.main) {
  const server = await startLocalPostgres();
  let code = 1;
  try {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["test", "-A", ...Deno.args, ...POSTGRES_SUITES],
      env: { OMIGA_TEST_POSTGRES: server.url },
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    code = (await child.status).code;
  } finally {
    await server.stop();
  }
  Deno.exit(code);
}
