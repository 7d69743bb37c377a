/**
 * A pool of Workers that run registered policies, so that inference never waits on the thread
 * that serves HTTP or on a training step (each runs in a Worker of its own). A request goes to
 * the Worker with the fewest requests in flight; each Worker keeps the policies it has loaded.
 * The Workers run the act backend ({@link actBackend}: wasm unless `OMIGA_ACT_BACKEND` says
 * cpu), the one `policies act` runs on in-process too, so the actions equal in-process `act`'s
 * bit for bit. On wasm a batch of 64 takes about 2 ms where the cpu backend took about 26.
 *
 * @module
 */
import { OmigaError, ValidationError } from "../../core/errors.ts";
import type { WireError } from "../worker/protocol.ts";

/** What a Worker is asked: the policy's files (absolute paths) and a packed batch. */
export interface ActRequest {
  id: number;
  /** The tensor backend the Worker runs on (chosen once, at its first request). */
  backend: ActBackend;
  weights: string;
  architecture: string;
  obs: Float32Array;
  avail?: Uint8Array;
}

/** A Worker's answer. */
export type ActReply =
  | { id: number; actions: Float32Array | Int32Array; error?: undefined }
  | { id: number; error: WireError; actions?: undefined };

interface PooledWorker {
  worker: Worker;
  inFlight: number;
}

type Pending = {
  resolve: (actions: Float32Array | Int32Array) => void;
  reject: (error: Error) => void;
};

/** The tensor backends inference runs on: deterministic CPU backends, no GPU. */
export type ActBackend = "wasm" | "cpu";

/**
 * The backend inference runs on, in the pool and in-process: `OMIGA_ACT_BACKEND`, else wasm
 * (SIMD kernels; the cpu backend is plain JavaScript, about 15 times slower here).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { actBackend } from "./act_pool.ts";
 * assert.equal(actBackend(undefined), "wasm");
 * assert.equal(actBackend("cpu"), "cpu");
 * assert.throws(() => actBackend("webgpu"), /OMIGA_ACT_BACKEND/);
 * ```
 */
export function actBackend(raw = Deno.env.get("OMIGA_ACT_BACKEND")): ActBackend {
  if (raw === undefined || raw === "") return "wasm";
  if (raw === "wasm" || raw === "cpu") return raw;
  throw new ValidationError(`OMIGA_ACT_BACKEND must be wasm or cpu, got "${raw}"`);
}

/** The number of Workers by default: `OMIGA_ACT_WORKERS`, else 2. */
export function defaultPoolSize(): number {
  const raw = Deno.env.get("OMIGA_ACT_WORKERS");
  const size = raw === undefined || raw === "" ? 2 : Number(raw);
  if (!Number.isInteger(size) || size < 1 || size > 64) {
    throw new ValidationError(`OMIGA_ACT_WORKERS must be an integer from 1 to 64, got "${raw}"`);
  }
  return size;
}

/**
 * Workers that answer `act` for policy files.
 *
 * @example
 * ```ts ignore
 * const pool = new ActPool(2);
 * const actions = await pool.act(weightsPath, architecturePath, obs);
 * pool.close();
 * ```
 */
export class ActPool {
  readonly size: number;
  readonly backend: ActBackend;
  readonly #workers: PooledWorker[] = [];
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  constructor(size = defaultPoolSize(), backend = actBackend()) {
    this.size = size;
    this.backend = backend;
  }

  /** The actions of the policy stored at `weights` / `architecture` for a packed batch. */
  act(
    weights: string,
    architecture: string,
    obs: Float32Array,
    avail?: Uint8Array,
  ): Promise<Float32Array | Int32Array> {
    if (this.#closed) return Promise.reject(new OmigaError("shutdown", "the act pool is closed"));
    const pooled = this.#leastBusy();
    const id = this.#nextId++;
    pooled.inFlight++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, {
        resolve: (actions) => {
          pooled.inFlight--;
          resolve(actions);
        },
        reject: (error) => {
          pooled.inFlight--;
          reject(error);
        },
      });
      const request: ActRequest = {
        id,
        backend: this.backend,
        weights,
        architecture,
        obs,
        ...(avail ? { avail } : {}),
      };
      pooled.worker.postMessage(request);
    });
  }

  /** Ends every Worker; requests in flight are refused. */
  close(): void {
    this.#closed = true;
    for (const { worker } of this.#workers) worker.terminate();
    this.#workers.length = 0;
    for (const pending of this.#pending.values()) {
      pending.reject(new OmigaError("shutdown", "the act pool closed before answering"));
    }
    this.#pending.clear();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  /** The idle Worker, a new one while the pool is not full, else the least busy. */
  #leastBusy(): PooledWorker {
    const idle = this.#workers.find((w) => w.inFlight === 0);
    if (idle !== undefined) return idle;
    if (this.#workers.length < this.size) {
      const worker = new Worker(new URL("./act_worker.ts", import.meta.url), {
        type: "module",
        name: `act-${this.#workers.length}`,
      });
      worker.onmessage = (event: MessageEvent<ActReply>) => this.#settle(event.data);
      worker.onerror = (event) => {
        event.preventDefault();
        this.close();
      };
      const pooled = { worker, inFlight: 0 };
      this.#workers.push(pooled);
      return pooled;
    }
    return this.#workers.reduce((a, b) => (b.inFlight < a.inFlight ? b : a));
  }

  #settle(reply: ActReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) return;
    this.#pending.delete(reply.id);
    if (reply.error === undefined) pending.resolve(reply.actions!);
    else {
      pending.reject(
        reply.error.code === "invalid_input"
          ? new ValidationError(reply.error.message)
          : new OmigaError(reply.error.code ?? "act_failed", reply.error.message),
      );
    }
  }
}
