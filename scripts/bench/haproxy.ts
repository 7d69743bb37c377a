/**
 * HAProxy as the HTTP/2 load balancer in front of several Restate endpoints, for the tests and
 * `deno task bench restate --endpoints 2`: what a real deployment puts there, any load balancer
 * that balances HTTP/2 streams rather than connections (docs/restate.md). HAProxy comes from
 * Debian (`apt-get install haproxy`; `.ci/run` installs it); tests that need it are ignored where
 * it is missing, unless `OMIGA_REQUIRE_HAPROXY=1` makes its absence a failure.
 *
 * @module
 */
import { join } from "node:path";
import { stopProcess } from "../../workflows/restate/local.ts";

/** The haproxy binary, or undefined. */
export function haproxyPath(): string | undefined {
  for (
    const candidate of [Deno.env.get("OMIGA_HAPROXY"), "/usr/sbin/haproxy", "/usr/bin/haproxy"]
  ) {
    if (candidate === undefined || candidate === "") continue;
    try {
      Deno.statSync(candidate);
      return candidate;
    } catch {
      // Not there.
    }
  }
  return undefined;
}

/** Whether the tests that need HAProxy should be ignored here. */
export function haproxyUnavailable(): boolean {
  return haproxyPath() === undefined && Deno.env.get("OMIGA_REQUIRE_HAPROXY") !== "1";
}

/** A running HAProxy. */
export interface Balancer {
  url: string;
  stop(): Promise<void>;
}

/**
 * Starts HAProxy on `port`, balancing HTTP/2 (cleartext) requests round-robin over the
 * endpoints on `backends`; a backend that refuses connections is marked down within half a
 * second, and a request whose connection failed is sent to another.
 */
export async function startBalancer(
  dir: string,
  port: number,
  backends: number[],
): Promise<Balancer> {
  const binary = haproxyPath();
  if (binary === undefined) throw new Error("no haproxy found: apt-get install haproxy");
  const config = [
    "global",
    "  maxconn 1000",
    "defaults",
    "  mode http",
    "  timeout connect 2s",
    "  timeout client 1h",
    "  timeout server 1h",
    "  retries 5",
    "  option redispatch",
    "  retry-on conn-failure empty-response",
    "frontend endpoints",
    `  bind 127.0.0.1:${port} proto h2`,
    "  default_backend endpoints",
    "backend endpoints",
    "  balance roundrobin",
    ...backends.map((p, i) =>
      `  server e${i + 1} 127.0.0.1:${p} proto h2 check inter 250ms fall 1 rise 1`
    ),
    "",
  ].join("\n");
  const file = join(dir, "haproxy.cfg");
  await Deno.writeTextFile(file, config);
  const process = new Deno.Command(binary, {
    args: ["-f", file, "-db"],
    stdout: "null",
    stderr: "null",
  }).spawn();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => stopProcess(process, "SIGTERM"),
  };
}
