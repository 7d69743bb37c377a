/**
 * The server the HTTP benches talk to and the few requests they make outside the load itself:
 * `scripts/serve.ts` as a subprocess on a temporary home, a JSON POST, and waiting for a run's
 * event.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { ValidationError } from "../../core/errors.ts";

/** The token the benches' servers require. */
export const TOKEN = "bench-token";
/** The Authorization header with {@link TOKEN}. */
export const auth = { Authorization: `Bearer ${TOKEN}` };

/** A server the bench talks to, and how to stop it. */
export interface BenchServer {
  url: string;
  stop(): Promise<void>;
}

export function positive(name: string, raw: string): number {
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ValidationError(`--${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

/** Starts `scripts/serve.ts` on a free port and waits for its listening line. */
export async function serveSubprocess(
  home: string,
  env: Record<string, string> = {},
): Promise<BenchServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", fileURLToPath(new URL("../serve.ts", import.meta.url)), "--port", "0"],
    env: { ...env, OMIGA_HOME: home, OMIGA_TOKEN: TOKEN },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const lines = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!/listening on (http:\/\/\S+)/.test(text)) {
    const { value, done } = await lines.read();
    if (done) throw new Error(`the server exited before listening:\n${text}`);
    text += value;
  }
  const url = /listening on (http:\/\/\S+)/.exec(text)![1];
  const drain = (async () => {
    while (!(await lines.read()).done) { /* keep the pipe flowing */ }
  })();
  return {
    url,
    async stop() {
      child.kill("SIGTERM");
      await child.status;
      await drain.catch(() => {});
    },
  };
}

export async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { ...auth, "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${JSON.stringify(payload)}`);
  return payload;
}

/** Follows the run's events until one matches; returns that event's payload. */
export async function waitForEvent(
  url: string,
  runId: string,
  matches: (event: { type: string; stepId: string | null }) => boolean,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}/v1/runs/${runId}/events`, { headers: auth });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`run ${runId} ended before the awaited event`);
      buffer += value;
      for (const block of buffer.split("\n\n").slice(0, -1)) {
        const data = block.split("\n").find((line) => line.startsWith("data: "));
        if (data === undefined) continue;
        const event = JSON.parse(data.slice(6));
        if (matches(event)) return event.payload;
        if (event.type === "run.failed") throw new Error(`the run failed: ${data}`);
      }
      buffer = buffer.slice(buffer.lastIndexOf("\n\n") + 2);
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Generates the benches' dataset on the server: 200 episodes of spread at the medium tier. */
export function generateBenchDataset(url: string): Promise<Record<string, unknown>> {
  return post(`${url}/v1/datasets/generate`, {
    env: "spread",
    tier: "medium",
    episodes: 200,
    seed: 0,
    referenceEpisodes: 20,
  });
}
