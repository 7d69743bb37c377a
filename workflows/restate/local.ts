/**
 * A Restate server (one node, or a cluster of nodes on loopback) started from the pinned npm
 * package `@restatedev/restate-server`, for development and tests (`deno task omiga restate up`),
 * and the admin call that registers an endpoint. Real machines run the same binary with their
 * own configuration (docs/restate.md).
 *
 * @module
 */
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { OmigaError, ValidationError } from "../../core/errors.ts";
import type { RestateUrls } from "./config.ts";

/** The Restate server version pinned in deno.json (`npm:@restatedev/restate-server@...`). */
export const RESTATE_SERVER_VERSION = "1.7.12";

/**
 * The `restate-server` binary: `OMIGA_RESTATE_SERVER`, else the one the npm package installed
 * for this platform under `node_modules` (`deno install` fetches it).
 */
export function restateServerBinary(env = Deno.env.get("OMIGA_RESTATE_SERVER")): string {
  if (env !== undefined && env !== "") return env;
  const os = Deno.build.os === "darwin" ? "darwin" : Deno.build.os;
  const arch = Deno.build.arch === "aarch64" ? "arm64" : "x64";
  const name = `restate-server-${os}-${arch}`;
  const root = fileURLToPath(new URL("../../node_modules/", import.meta.url));
  const binary = join(
    root,
    ".deno",
    `@restatedev+${name}@${RESTATE_SERVER_VERSION}`,
    "node_modules",
    "@restatedev",
    name,
    "bin",
    "restate-server",
  );
  try {
    Deno.statSync(binary);
  } catch {
    throw new OmigaError(
      "restate_missing",
      `no Restate server binary at ${binary}: run \`deno install\` (it fetches ` +
        `@restatedev/${name}@${RESTATE_SERVER_VERSION} from npm) or set OMIGA_RESTATE_SERVER`,
    );
  }
  return binary;
}

/** The ports of one node. */
export interface NodePorts {
  fabric: number;
  admin: number;
  ingress: number;
}

/**
 * The configuration (TOML) of node `index` of a loopback cluster of `ports.length` nodes in
 * `dir`: node 0 provisions the cluster; logs are replicated on two nodes when there are several.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { nodeConfig } from "./local.ts";
 * const ports = [{ fabric: 5122, admin: 9070, ingress: 8080 }];
 * const toml = nodeConfig("/tmp/r", ports, 0);
 * assert.match(toml, /auto-provision = true/);
 * assert.match(toml, /\[ingress\]\nbind-port = 8080/);
 * ```
 */
export function nodeConfig(
  dir: string,
  ports: NodePorts[],
  index: number,
  identityKeyFile?: string,
): string {
  const own = ports[index];
  const signing = identityKeyFile === undefined ? [] : [
    `[worker.invoker]`,
    `request-identity-private-key-pem-file = ${JSON.stringify(identityKeyFile)}`,
    ``,
  ];
  return [
    `node-name = "n${index + 1}"`,
    `cluster-name = "omiga-local"`,
    `base-dir = ${JSON.stringify(join(dir, `n${index + 1}`))}`,
    `disable-telemetry = true`,
    `listen-mode = "tcp"`,
    `bind-ip = "127.0.0.1"`,
    `advertised-host = "127.0.0.1"`,
    `bind-port = ${own.fabric}`,
    `auto-provision = ${index === 0}`,
    `default-replication = ${Math.min(2, ports.length)}`,
    `log-format = "compact"`,
    ``,
    `[metadata-client]`,
    `addresses = [${ports.map((p) => `"http://127.0.0.1:${p.fabric}"`).join(", ")}]`,
    ``,
    `[admin]`,
    `bind-port = ${own.admin}`,
    ``,
    `[ingress]`,
    `bind-port = ${own.ingress}`,
    ``,
    ...signing,
  ].join("\n");
}

/** A node of a {@link LocalRestate}. */
export interface LocalNode {
  name: string;
  ports: NodePorts;
  urls: RestateUrls;
  /** Its log file. */
  log: string;
  process: Deno.ChildProcess;
}

/** A started local Restate. */
export interface LocalRestate {
  /** The first node's addresses. */
  urls: RestateUrls;
  nodes: LocalNode[];
  /** Kills node `index` at once (SIGKILL), as a crash would. */
  kill(index: number): Promise<void>;
  /** Stops every node (SIGTERM) and waits for them. */
  stop(): Promise<void>;
}

/** Options of {@link startLocalRestate}. */
export interface LocalRestateOptions {
  /** Where the nodes keep their data and logs. */
  dir: string;
  /** Nodes on loopback (default 1). */
  nodes?: number;
  /** The first node's ports (default Restate's: 5122, 9070, 8080); later nodes add 1, 2, ... */
  ports?: NodePorts;
  /** How long to wait for every node to answer, in ms (default 60 000). */
  readyTimeoutMs?: number;
  /** The private key (PEM file) the nodes sign their requests to endpoints with; none: unsigned. */
  identityKeyFile?: string;
}

/** A loopback port that was free a moment ago. */
export function freePort(): number {
  return freePorts(1)[0];
}

/** `count` loopback ports that were free a moment ago. */
function freePorts(count: number): number[] {
  const listeners = Array.from(
    { length: count },
    () => Deno.listen({ port: 0, hostname: "127.0.0.1" }),
  );
  const ports = listeners.map((l) => (l.addr as Deno.NetAddr).port);
  for (const l of listeners) l.close();
  return ports;
}

/**
 * Starts `nodes` Restate nodes in `dir` and waits until each one's admin and ingress answer.
 * Tests pass `ports: freeNodePorts(nodes)` to stay clear of other servers.
 */
export async function startLocalRestate(options: LocalRestateOptions): Promise<LocalRestate> {
  const count = options.nodes ?? 1;
  if (!Number.isInteger(count) || count < 1 || count > 9) {
    throw new ValidationError(`--nodes must be an integer from 1 to 9, got ${count}`);
  }
  const base = options.ports ?? { fabric: 5122, admin: 9070, ingress: 8080 };
  const ports = Array.from({ length: count }, (_, i) => ({
    fabric: base.fabric + i,
    admin: base.admin + i,
    ingress: base.ingress + i,
  }));
  const binary = restateServerBinary();
  await Deno.mkdir(options.dir, { recursive: true });
  const nodes: LocalNode[] = [];
  for (let i = 0; i < count; i++) {
    const name = `n${i + 1}`;
    const config = join(options.dir, `${name}.toml`);
    await Deno.writeTextFile(config, nodeConfig(options.dir, ports, i, options.identityKeyFile));
    const log = join(options.dir, `${name}.log`);
    const file = await Deno.open(log, { create: true, append: true });
    const process = new Deno.Command(binary, {
      args: ["--config-file", config, "--no-logo"],
      stdout: "piped",
      stderr: "piped",
      stdin: "null",
    }).spawn();
    // Both streams into the log file, in the background.
    void Promise.all(
      [process.stdout, process.stderr].map((stream) =>
        stream.pipeTo(new WritableStream({ write: (chunk) => void file.writeSync(chunk) }))
          .catch(() => {})
      ),
    ).finally(() => file.close());
    nodes.push({
      name,
      ports: ports[i],
      urls: {
        admin: `http://127.0.0.1:${ports[i].admin}`,
        ingress: `http://127.0.0.1:${ports[i].ingress}`,
      },
      log,
      process,
    });
  }
  const stopAll = async (signal: Deno.Signal) => {
    await Promise.allSettled(nodes.map((node) => stopProcess(node.process, signal)));
  };
  try {
    await Promise.all(nodes.map((node) => waitUntilReady(node, options.readyTimeoutMs ?? 60_000)));
  } catch (error) {
    await stopAll("SIGKILL");
    throw error;
  }
  return {
    urls: nodes[0].urls,
    nodes,
    kill: (index) => stopProcess(nodes[index].process, "SIGKILL"),
    stop: () => stopAll("SIGTERM"),
  };
}

/**
 * First-node ports for a cluster of `nodes` whose ports (each kind counting up from the first)
 * were all free a moment ago.
 */
export function freeNodePorts(nodes = 1): NodePorts {
  for (let tries = 0; tries < 20; tries++) {
    const [fabric, admin, ingress] = freePorts(3);
    const wanted = [fabric, admin, ingress].flatMap((first) =>
      Array.from({ length: nodes }, (_, i) => first + i)
    );
    if (new Set(wanted).size === wanted.length && wanted.every(isFree)) {
      return { fabric, admin, ingress };
    }
  }
  throw new OmigaError("restate_failed", `found no ${nodes} consecutive free ports of each kind`);
}

function isFree(port: number): boolean {
  try {
    Deno.listen({ port, hostname: "127.0.0.1" }).close();
    return true;
  } catch {
    return false;
  }
}

/**
 * Calls `ready` every 200 ms until it resolves true (a throw counts as not yet), and throws what
 * `failure` names once `timeoutMs` has passed or `gone` says there is nothing left to wait for.
 */
export async function pollUntil(
  ready: () => Promise<boolean>,
  timeoutMs: number,
  failure: (reason: "timeout" | "gone") => Error,
  gone: () => boolean = () => false,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (gone()) throw failure("gone");
    if (await ready().catch(() => false)) return;
    if (Date.now() > deadline) throw failure("timeout");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** Sends `signal` to `process` unless it has already exited, and waits for it to end. */
export async function stopProcess(process: Deno.ChildProcess, signal: Deno.Signal): Promise<void> {
  try {
    process.kill(signal);
  } catch {
    // Already gone.
  }
  await process.status;
}

function waitUntilReady(node: LocalNode, timeoutMs: number): Promise<void> {
  let exited = false;
  node.process.status.then(() => exited = true);
  return pollUntil(
    async () => {
      const [admin, ingress] = await Promise.all([
        fetch(`${node.urls.admin}/health`),
        fetch(`${node.urls.ingress}/restate/health`),
      ]);
      await Promise.all([admin.body?.cancel(), ingress.body?.cancel()]);
      return admin.ok && ingress.ok;
    },
    timeoutMs,
    (reason) =>
      new OmigaError(
        "restate_failed",
        reason === "gone"
          ? `Restate node ${node.name} exited while starting; see ${node.log}`
          : `Restate node ${node.name} did not answer within ${timeoutMs} ms; see ${node.log}`,
      ),
    () => exited,
  );
}

/**
 * Registers (or re-registers, `force`) the endpoint at `endpointUrl` with the Restate admin at
 * `adminUrl`, and returns the deployment's id and the services Restate found there.
 */
export async function registerDeployment(
  adminUrl: string,
  endpointUrl: string,
): Promise<{ id: string; services: string[] }> {
  let response: Response;
  try {
    response = await fetch(`${adminUrl}/deployments`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ uri: endpointUrl, force: true }),
    });
  } catch (error) {
    throw new OmigaError(
      "restate_unavailable",
      `cannot reach Restate's admin API at ${adminUrl}: ${(error as Error).message}`,
    );
  }
  const text = await response.text();
  if (!response.ok) {
    throw new OmigaError(
      "restate_unavailable",
      `Restate's admin API refused to register ${endpointUrl} (HTTP ${response.status}): ${
        text.slice(0, 400)
      }`,
    );
  }
  const body = JSON.parse(text) as { id: string; services: { name: string }[] };
  return { id: body.id, services: body.services.map((s) => s.name) };
}

/**
 * Waits until the Restate admin at `adminUrl` lists a deployment at `endpointUrl` (an endpoint
 * registering itself as it starts), at most `timeoutMs`.
 */
export function waitForDeployment(
  adminUrl: string,
  endpointUrl: string,
  timeoutMs = 60_000,
): Promise<void> {
  return pollUntil(
    async () => {
      const response = await fetch(`${adminUrl}/deployments`);
      const body = await response.json() as { deployments?: { uri?: string }[] };
      return body.deployments?.some((d) => d.uri === endpointUrl) ?? false;
    },
    timeoutMs,
    () =>
      new OmigaError(
        "restate_unavailable",
        `no deployment at ${endpointUrl} registered with ${adminUrl} within ${timeoutMs} ms`,
      ),
  );
}
