/**
 * A closed-loop HTTP load generator for loopback benchmarks: `connections` concurrent clients
 * each send the next request as soon as the previous answer has been read, for `durationMs`.
 *
 * @module
 */
import { RawHttpConnection } from "./raw_client.ts";

/** What a load test measured. */
export interface LoadResult {
  requests: number;
  errors: number;
  /** Status codes other than 2xx, and network errors, by kind. */
  errorKinds: Record<string, number>;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
}

/** The q-quantile (0..1) of ascending `sorted` values, nearest rank. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** Runs the load test against one URL. */
export async function loadTest(options: {
  url: string;
  headers?: Record<string, string>;
  connections: number;
  durationMs: number;
  /**
   * `fetch` (default), or `raw`: a lean HTTP/1.1 keep-alive GET client (see raw_client.ts) that
   * leaves more of a small machine's CPU to the server being measured.
   */
  client?: "fetch" | "raw";
}): Promise<LoadResult> {
  const latencies: number[] = [];
  const errorKinds: Record<string, number> = {};
  let errors = 0;
  const start = performance.now();
  const deadline = start + options.durationMs;
  const fail = (kind: string) => {
    errors++;
    errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
  };
  const rawClient = async () => {
    let connection: RawHttpConnection | undefined;
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        connection ??= await RawHttpConnection.open(new URL(options.url), options.headers);
        const status = await connection.get();
        latencies.push(performance.now() - sent);
        if (status < 200 || status > 299) fail(`status ${status}`);
      } catch (error) {
        connection?.close();
        connection = undefined;
        fail(error instanceof Error ? error.name : "error");
      }
    }
    connection?.close();
  };
  const fetchClient = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const response = await fetch(options.url, { headers: options.headers });
        await response.arrayBuffer();
        latencies.push(performance.now() - sent);
        if (!response.ok) {
          errors++;
          errorKinds[`status ${response.status}`] = (errorKinds[`status ${response.status}`] ?? 0) +
            1;
        }
      } catch (error) {
        errors++;
        const kind = error instanceof Error ? error.name : "error";
        errorKinds[kind] = (errorKinds[kind] ?? 0) + 1;
      }
    }
  };
  const client = options.client === "raw" ? rawClient : fetchClient;
  await Promise.all(Array.from({ length: options.connections }, client));
  const elapsed = (performance.now() - start) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length + Object.entries(errorKinds)
      .filter(([kind]) => !kind.startsWith("status")).reduce((a, [, n]) => a + n, 0),
    errors,
    errorKinds,
    requestsPerSecond: latencies.length / elapsed,
    latencyMs: {
      p50: quantile(latencies, 0.5),
      p90: quantile(latencies, 0.9),
      p99: quantile(latencies, 0.99),
      max: latencies.at(-1) ?? NaN,
    },
  };
}
