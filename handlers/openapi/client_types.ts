/**
 * The HTTP API's types, generated from its OpenAPI document by openapi-typescript: do not edit.
 * Regenerate with `deno run -A scripts/openapi.ts --types`.
 *
 * @module
 */
export interface paths {
  "/healthz": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Liveness check (no auth) */
    get: operations["getHealth"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/workflows": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Workflows and their parameter schemas */
    get: operations["listWorkflows"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List runs, newest first */
    get: operations["listRuns"];
    put?: never;
    /**
     * Submit a run
     * @description The same `Idempotency-Key` with the same body returns the run it created (200); with a different body it is a 409.
     */
    post: operations["submitRun"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A run and its steps */
    get: operations["getRun"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs/{id}/cancel": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Cancel a queued or running run */
    post: operations["cancelRun"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs/{id}/resume": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Queue a failed or cancelled run again */
    post: operations["resumeRun"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs/{id}/events": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Follow a run's events (Server-Sent Events)
     * @description Replays the run's events after `Last-Event-ID` (or `after`), then streams new ones until the run ends. Message id: the event's sequence number; event name: its type (`run.submitted`, `step.progress`, ...); data: the event as JSON.
     */
    get: operations["followRunEvents"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs/{id}/artifacts": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List a run's artifacts */
    get: operations["listRunArtifacts"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/runs/{id}/artifacts/{name}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Download an artifact */
    get: operations["downloadRunArtifact"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/datasets": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List stored datasets, oldest first */
    get: operations["listDatasets"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/datasets/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A dataset's manifest and statistics */
    get: operations["getDataset"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/datasets/import": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Import a file that is on the server
     * @description The file must be inside an import folder (`OMIGA_IMPORT_DIRS`, default `$OMIGA_HOME/imports`), after `..` and symlinks are resolved; elsewhere it is a 403.
     */
    post: operations["importDataset"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/datasets/upload": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Import an uploaded file (the raw request body)
     * @description The body is streamed to a temporary file; past the server's limit the answer is a 413.
     */
    post: operations["uploadDataset"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/datasets/generate": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Generate a built-in dataset (environment x behaviour tier) */
    post: operations["generateDataset"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/datasets/{id}/filter": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Store the episodes a filter selects as a derived dataset */
    post: operations["filterDataset"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/schedules": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List schedules */
    get: operations["listSchedules"];
    put?: never;
    /** Create a schedule */
    post: operations["createSchedule"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/schedules/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a schedule */
    delete: operations["deleteSchedule"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/policies": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List registered policies */
    get: operations["listPolicies"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/policies/{name}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A policy, its versions and every change of its latest */
    get: operations["getPolicy"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/policies/{name}/promote": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Make a version latest */
    post: operations["promotePolicy"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/policies/{name}/rollback": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Return latest to the version that was latest before */
    post: operations["rollbackPolicy"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/v1/policies/{name}/act": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Actions of a policy for a batch of observations
     * @description Runs in a pool of Workers (`OMIGA_ACT_WORKERS`, default 2), beside training; the actions equal the in-process `act`'s. A batch of another shape than the policy's `[B, nAgents, obsDim]` is a 400 naming the expected shape.
     */
    post: operations["actPolicy"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Workflow: {
      /** @example train-evaluate */
      name: string;
      description: string;
      steps: {
        /** @description a step's id, or a group's name */
        id: string;
        /** @description a group, expanded from the params at submission */
        group: boolean;
        /** @description the steps or groups it runs after */
        after: string[];
        /** @description its concurrency key */
        concurrency: string | null;
      }[];
      /** @description JSON Schema of the params */
      params: {
        [key: string]: unknown;
      };
    };
    Error: {
      error: {
        /** @example invalid_input */
        code: string;
        /** @example params.iterations: expected a number */
        message: string;
      };
    };
    Run: {
      /** @example 0b6c1b1e-3f8e-4d5b-9a43-1f0c2c7d9e11 */
      id: string;
      /** @example train-evaluate */
      workflow: string;
      /** @description any JSON value */
      params?: unknown;
      /** @enum {string} */
      state: "queued" | "running" | "succeeded" | "failed" | "cancelled";
      idempotencyKey: string | null;
      scheduleId: string | null;
      /** @description any JSON value */
      output?: unknown;
      error: string | null;
      errorCode: string | null;
      /** @description notes steps left on the run (`backend`: the tensor backend and why) */
      annotations: {
        [key: string]: unknown;
      };
      /** @description submitted (ms since the epoch) */
      createdAt: number;
      /** @description last change (ms since the epoch) */
      updatedAt: number;
      /** @description first step started (ms since the epoch) */
      startedAt: number | null;
      /** @description ended (ms since the epoch) */
      finishedAt: number | null;
    };
    RunSubmission:
      & {
        /** @example train-evaluate */
        workflow: string;
        /**
         * @description the workflow's parameters; defaults fill the rest
         * @example {
         *       "env": "spread",
         *       "tier": "medium",
         *       "iterations": 500
         *     }
         */
        params?: unknown;
      }
      & ({
        /** @enum {string} */
        workflow: "behaviour";
        params?: {
          /** @enum {string} */
          env: "hopper-3x1" | "halfcheetah-6x1" | "ant-2x4";
          /** @default 200000 */
          steps?: number;
          warmupSteps?: number;
          /** @default 0 */
          seed?: number;
          /** @default 256 */
          hiddenSize?: number;
          /** @default 256 */
          batchSize?: number;
          snapshotEvery?: number;
          /** @default 5 */
          snapshotEpisodes?: number;
          checkpointEvery?: number;
          /** @default 50 */
          tierEpisodes?: number;
          /**
           * @default auto
           * @enum {string}
           */
          backend?: "auto" | "tensorflow" | "webgpu" | "wasm" | "cpu";
        };
      } | {
        /** @enum {string} */
        workflow: "hash-chain";
        params?: {
          /** @default 2000 */
          iterations?: number;
          /** @default 0 */
          seed?: number;
          /** @default 200000 */
          roundsPerIteration?: number;
          /** @default 100 */
          checkpointEvery?: number;
        };
      } | {
        /** @enum {string} */
        workflow: "hash-fan";
        params?: {
          /** @default 2000 */
          iterations?: number;
          /** @default 0 */
          seed?: number;
          /** @default 200000 */
          roundsPerIteration?: number;
          /** @default 100 */
          checkpointEvery?: number;
          /** @default 2 */
          chains?: number;
        };
      } | {
        /** @enum {string} */
        workflow: "sweep";
        params?: {
          /**
           * @default smoke
           * @enum {string}
           */
          preset?:
            | "smoke"
            | "paper-small"
            | "paper"
            | "compare-smoke"
            | "compare"
            | "mamujoco-small"
            | "mamujoco";
          datasets?: string[];
          episodes?: number;
          datasetSeed?: number;
          algorithms?: ("omiga" | "omiga-local" | "bc" | "bcq-ma" | "cql-ma" | "icq" | "omar")[];
          alphas?: number[];
          mainAlpha?: number;
          seeds?: number;
          iterations?: number;
          evalEvery?: number;
          evalEpisodes?: number;
          evalSeeds?: number;
          checkpointEvery?: number;
          batchSize?: number;
          hiddenSize?: number;
          /** @enum {string} */
          backend?: "auto" | "tensorflow" | "webgpu" | "wasm" | "cpu";
          threads?: number;
        };
      } | {
        /** @enum {string} */
        workflow: "train-evaluate";
        params?: {
          dataset?: string;
          /** @enum {string} */
          env?: "spread" | "skirmish" | "matrix" | "hopper-3x1" | "halfcheetah-6x1" | "ant-2x4";
          /** @enum {string} */
          tier?: "random" | "medium" | "expert" | "medium-replay" | "medium-expert";
          /** @default 200 */
          episodes?: number;
          datasetSeed?: number;
          /**
           * @default omiga
           * @enum {string}
           */
          algorithm?: "omiga" | "omiga-local" | "bc" | "bcq-ma" | "cql-ma" | "icq" | "omar";
          /** @default 2000 */
          iterations?: number;
          /** @default 0 */
          seed?: number;
          alpha?: number;
          batchSize?: number;
          hiddenSize?: number;
          /**
           * @default auto
           * @enum {string}
           */
          backend?: "auto" | "tensorflow" | "webgpu" | "wasm" | "cpu";
          threads?: number;
          /** @default 10 */
          evalEpisodes?: number;
          /** @default 1 */
          evalSeeds?: number;
          evalEvery?: number;
          checkpointEvery?: number;
          policyName?: string;
          promotionTolerance?: number;
        };
      });
    Step: {
      stepId: string;
      position: number;
      /** @description the expanded group it belongs to */
      group: string | null;
      /** @description ids of the steps it runs after */
      after: string[];
      /** @description its concurrency key (limited per home), e.g. cpu */
      concurrencyKey: string | null;
      /** @enum {string} */
      state: "pending" | "running" | "succeeded" | "failed" | "cancelled" | "skipped";
      attempt: number;
      maxAttempts: number;
      /** @description next retry (ms since the epoch) */
      retryAt: number | null;
      leaseOwner: string | null;
      /** @description lease expiry (ms since the epoch) */
      leaseExpiresAt: number | null;
      /** @description any JSON value */
      output?: unknown;
      error: string | null;
      errorCode: string | null;
      /** @description first attempt started (ms since the epoch) */
      startedAt: number | null;
      /** @description ended (ms since the epoch) */
      finishedAt: number | null;
    };
    Artifact: {
      /** @example policy.safetensors */
      name: string;
      bytes: number;
      modifiedAt: number | null;
    };
    DatasetManifest: {
      /** @example spread-medium-200ep-s0-3f1c0a9b2d4e */
      id: string;
      name: string;
      env: string;
      tier?: string;
      /** @example generate */
      source: string;
      rows: number;
      episodes: number;
      transitions: number;
      contentHash: string;
      createdAt: string;
      spec: {
        nAgents: number;
        obsDim: number;
        stateDim: number;
        actDim: number;
        /** @enum {string} */
        actionKind: "continuous" | "discrete";
      } & {
        [key: string]: unknown;
      };
      lineage?: {
        parent: string;
        filter: string;
      }[];
    } & {
      [key: string]: unknown;
    };
    DatasetStats: {
      rows: number;
      episodes: number;
      transitions: number;
      terminalEpisodes: number;
      episodeReturn: {
        mean: number;
        std: number;
        min: number;
        q1: number;
        median: number;
        q3: number;
        max: number;
      };
      returnHistogram: {
        edges: number[];
        counts: number[];
      };
      episodeLength: {
        mean: number;
        min: number;
        max: number;
      };
      reward: {
        mean: number;
        min: number;
        max: number;
      };
    } & {
      [key: string]: unknown;
    };
    ImportResult: {
      manifest: components["schemas"]["DatasetManifest"];
      notes: string[];
    };
    Schedule: {
      /** @example nightly-retrain */
      id: string;
      /** @example 0 3 * * * */
      cron: string;
      timezone: string | null;
      workflow: string;
      /** @description any JSON value */
      params?: unknown;
      enabled: boolean;
      /** @description ms since the epoch */
      nextRunAt: number | null;
      lastDueAt: number | null;
      lastRunId: string | null;
      createdAt: number;
      updatedAt: number;
    };
    NewSchedule: {
      id: string;
      /**
       * @description 5 fields, or 6 with seconds first
       * @example 0 3 * * *
       */
      cron: string;
      /** @description IANA; default UTC */
      timezone?: string;
      workflow: string;
      /** @description any JSON value */
      params?: unknown;
    };
    Policy: {
      /** @example nightly-spread */
      name: string;
      latestVersion: number | null;
      versions: number;
      createdAt: number;
      updatedAt: number;
    };
    PolicyVersion: {
      name: string;
      version: number;
      runId: string;
      metrics: {
        [key: string]: unknown;
      };
      lineage: {
        [key: string]: unknown;
      };
      files: {
        [key: string]: string;
      };
      evaluationHash: string | null;
      decision: {
        promoted: boolean;
        reason: string;
      };
      latest: boolean;
      createdAt: number;
    };
    PolicyEvent: {
      name: string;
      seq: number;
      /** @enum {string} */
      type: "promoted" | "rolled_back";
      fromVersion: number | null;
      toVersion: number;
      reason: string;
      runId: string | null;
      time: number;
    };
    ActResponse: {
      name: string;
      version: number;
      /** @description [B][nAgents] action indices (discrete) or [B][nAgents][actDim] in [-1, 1] */
      actions: (number | number[])[][];
    };
    ActRequest: {
      /**
       * @description [B][nAgents][obsDim]: each agent's observation, as in the dataset's obs
       * @example [
       *       [
       *         [
       *           0.1,
       *           -0.2
       *         ],
       *         [
       *           0.3,
       *           0.4
       *         ]
       *       ]
       *     ]
       */
      observations: number[][][];
      /** @description [B][nAgents][nActions] 0/1 masks (discrete actions only) */
      availActions?: (0 | 1)[][][];
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  getHealth: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The server is up */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            /** @enum {string} */
            status: "ok";
            version: string;
          };
        };
      };
    };
  };
  listWorkflows: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The workflows */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            workflows: components["schemas"]["Workflow"][];
          };
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listRuns: {
    parameters: {
      query?: {
        state?: "queued" | "running" | "succeeded" | "failed" | "cancelled";
        workflow?: string;
        limit?: number;
        /** @description `nextCursor` of the previous page */
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of runs */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            runs: components["schemas"]["Run"][];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  submitRun: {
    parameters: {
      query?: never;
      header?: {
        "Idempotency-Key"?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["RunSubmission"];
      };
    };
    responses: {
      /** @description The run this idempotency key already created */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Run"];
        };
      };
      /** @description The run was queued */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Run"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Conflict with the current state (idempotency key reused with another body, run state) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Too many requests (run submissions per minute, event streams per run); see Retry-After */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The run */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Run"] & {
            steps: components["schemas"]["Step"][];
          };
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  cancelRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The run */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Run"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Conflict with the current state (idempotency key reused with another body, run state) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  resumeRun: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The run */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Run"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Conflict with the current state (idempotency key reused with another body, run state) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  followRunEvents: {
    parameters: {
      query?: {
        after?: string;
      };
      header?: {
        "Last-Event-ID"?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description An event stream */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "text/event-stream": string;
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Too many requests (run submissions per minute, event streams per run); see Retry-After */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listRunArtifacts: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The artifacts */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            artifacts: components["schemas"]["Artifact"][];
          };
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  downloadRunArtifact: {
    parameters: {
      query?: {
        /** @description `inline` shows an HTML, text, JSON or CSV file in the browser (in a sandbox: no script runs, nothing loads) instead of downloading it */
        disposition?: "attachment" | "inline";
      };
      header?: never;
      path: {
        id: string;
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The file */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/octet-stream": string;
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listDatasets: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The datasets */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            datasets: components["schemas"]["DatasetManifest"][];
          };
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getDataset: {
    parameters: {
      query?: {
        bins?: number;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The manifest and statistics */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            manifest: components["schemas"]["DatasetManifest"];
            stats: components["schemas"]["DatasetStats"];
          };
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  importDataset: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          name?: string;
          env?: string;
          tier?: string;
          /** @example /data/halfcheetah-medium.hdf5 */
          path: string;
          /**
           * @description default: from the file's extension
           * @enum {string}
           */
          format?: "hdf5" | "csv" | "arrow" | "parquet" | "parquet-long";
        };
      };
    };
    responses: {
      /** @description The stored dataset */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ImportResult"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Refused: a path outside the import folders, or a browser's cross-site request */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  uploadDataset: {
    parameters: {
      query: {
        name?: string;
        env?: string;
        tier?: string;
        format: "hdf5" | "csv" | "arrow" | "parquet" | "parquet-long";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/octet-stream": string;
      };
    };
    responses: {
      /** @description The stored dataset */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ImportResult"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  generateDataset: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @enum {string} */
          env: "spread" | "skirmish" | "matrix" | "hopper-3x1" | "halfcheetah-6x1" | "ant-2x4";
          /** @enum {string} */
          tier: "random" | "medium" | "expert" | "medium-replay" | "medium-expert";
          /** @default 1000 */
          episodes?: number;
          /** @default 0 */
          seed?: number;
          name?: string;
          envConfig?: {
            [key: string]: unknown;
          };
          referenceEpisodes?: number;
        };
      };
    };
    responses: {
      /** @description The stored dataset */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DatasetManifest"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  filterDataset: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /**
           * @description "top N", "top P%", "bottom N", "first N", "last N", "return >= X", "length < N"
           * @example top 30%
           */
          filter: string;
          name?: string;
        };
      };
    };
    responses: {
      /** @description The derived dataset */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["DatasetManifest"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listSchedules: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The schedules */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            schedules: components["schemas"]["Schedule"][];
          };
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  createSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["NewSchedule"];
      };
    };
    responses: {
      /** @description The schedule */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Schedule"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Conflict with the current state (idempotency key reused with another body, run state) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  deleteSchedule: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The deleted schedule */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Schedule"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  listPolicies: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The policies */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            policies: components["schemas"]["Policy"][];
          };
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  getPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The policy */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Policy"] & {
            versionList: components["schemas"]["PolicyVersion"][];
            events: components["schemas"]["PolicyEvent"][];
          };
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  promotePolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          version: number;
        };
      };
    };
    responses: {
      /** @description The change of latest */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["PolicyEvent"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Conflict with the current state (idempotency key reused with another body, run state) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  rollbackPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The change of latest */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["PolicyEvent"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Conflict with the current state (idempotency key reused with another body, run state) */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  actPolicy: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description the policy's latest version, or `name@version` */
        name: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": components["schemas"]["ActRequest"];
      };
    };
    responses: {
      /** @description The actions */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["ActResponse"];
        };
      };
      /** @description Invalid input; the message names the failing field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Missing or invalid bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No such resource */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Request body too large */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
}
