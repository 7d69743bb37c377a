/**
 * The policy registry over HTTP: list, show (versions and changes of latest), promote, roll
 * back, and `POST /v1/policies/{name}/act` (optionally `name@version`), which runs the policy
 * in the {@link ActPool} and returns its actions for a batch of observations.
 *
 * @module
 */
import { join } from "node:path";
import type { MultiAgentSpec } from "../../core/dataset.ts";
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { ActPool } from "../../workflows/policies/act_pool.ts";
import { packObservations, unpackActions } from "../../workflows/policies/observations.ts";
import type { PolicyStore } from "../../workflows/mod.ts";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses, jsonResponse, JsonValue } from "../openapi/schemas.ts";

const PolicySchema = z.object({
  name: z.string().openapi({ example: "nightly-spread" }),
  latestVersion: z.number().int().nullable(),
  versions: z.number().int(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
}).openapi("Policy");

const PolicyVersionSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  runId: z.string(),
  metrics: z.record(z.string(), JsonValue),
  lineage: z.record(z.string(), JsonValue),
  files: z.record(z.string(), z.string()),
  evaluationHash: z.string().nullable(),
  decision: z.object({ promoted: z.boolean(), reason: z.string() }),
  latest: z.boolean(),
  createdAt: z.number().int(),
}).openapi("PolicyVersion");

const PolicyEventSchema = z.object({
  name: z.string(),
  seq: z.number().int(),
  type: z.enum(["promoted", "rolled_back"]),
  fromVersion: z.number().int().nullable(),
  toVersion: z.number().int(),
  reason: z.string(),
  runId: z.string().nullable(),
  time: z.number().int(),
}).openapi("PolicyEvent");

const NameParam = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, { message: "a policy name" }).openapi({
    param: { name: "name", in: "path" },
    example: "nightly-spread",
  }),
});

const RefParam = z.object({
  name: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,62}(@[1-9][0-9]{0,8})?$/, {
    message: "a policy name, or name@version",
  }).openapi({
    param: { name: "name", in: "path" },
    description: "the policy's latest version, or `name@version`",
    example: "nightly-spread@3",
  }),
});

/** `[B][nAgents][width]` arrays of `element`, as the OpenAPI document describes them. */
function batchOf(element: { type: "number" } | { type: "integer"; enum: number[] }) {
  return { type: "array", items: { type: "array", items: element } } as const;
}

// The nested arrays are checked once, by packObservations (workflows/policies/observations.ts),
// which names the policy's shape and the first place a batch departs from it; a second pass by
// zod over every number cost about 150 us of a 2 ms request (a batch of 64 spread copies).
const ActBody = z.object({
  observations: z.array(z.unknown()).openapi({
    description: "[B][nAgents][obsDim]: each agent's observation, as in the dataset's obs",
    items: batchOf({ type: "number" }),
    example: [[[0.1, -0.2], [0.3, 0.4]]],
  }),
  availActions: z.array(z.unknown()).optional().openapi({
    description: "[B][nAgents][nActions] 0/1 masks (discrete actions only)",
    items: batchOf({ type: "integer", enum: [0, 1] }),
  }),
}).openapi("ActRequest");

const ActResponse = z.object({
  name: z.string(),
  version: z.number().int(),
  actions: z.array(z.array(z.union([z.number(), z.array(z.number())]))).openapi({
    description: "[B][nAgents] action indices (discrete) or [B][nAgents][actDim] in [-1, 1]",
  }),
}).openapi("ActResponse");

const tags = ["policies"];

const listRoute = createRoute({
  method: "get",
  path: "/v1/policies",
  tags,
  operationId: "listPolicies",
  summary: "List registered policies",
  security: BEARER,
  responses: {
    200: jsonResponse(z.object({ policies: z.array(PolicySchema) }), "The policies"),
    ...errorResponses(),
  },
});

const showRoute = createRoute({
  method: "get",
  path: "/v1/policies/{name}",
  tags,
  operationId: "getPolicy",
  summary: "A policy, its versions and every change of its latest",
  security: BEARER,
  request: { params: NameParam },
  responses: {
    200: jsonResponse(
      PolicySchema.extend({
        versionList: z.array(PolicyVersionSchema),
        events: z.array(PolicyEventSchema),
      }),
      "The policy",
    ),
    ...errorResponses(400, 404),
  },
});

const promoteRoute = createRoute({
  method: "post",
  path: "/v1/policies/{name}/promote",
  tags,
  operationId: "promotePolicy",
  summary: "Make a version latest",
  security: BEARER,
  request: {
    params: NameParam,
    body: {
      required: true,
      content: {
        "application/json": { schema: z.object({ version: z.number().int().min(1) }) },
      },
    },
  },
  responses: {
    200: jsonResponse(PolicyEventSchema, "The change of latest"),
    ...errorResponses(400, 404, 409),
  },
});

const rollbackRoute = createRoute({
  method: "post",
  path: "/v1/policies/{name}/rollback",
  tags,
  operationId: "rollbackPolicy",
  summary: "Return latest to the version that was latest before",
  security: BEARER,
  request: { params: NameParam },
  responses: {
    200: jsonResponse(PolicyEventSchema, "The change of latest"),
    ...errorResponses(400, 404, 409),
  },
});

const actRoute = createRoute({
  method: "post",
  path: "/v1/policies/{name}/act",
  tags,
  operationId: "actPolicy",
  summary: "Actions of a policy for a batch of observations",
  description: "Runs in a pool of Workers (`OMIGA_ACT_WORKERS`, default 2), beside training; " +
    "the actions equal the in-process `act`'s. A batch of another shape than the policy's " +
    "`[B, nAgents, obsDim]` is a 400 naming the expected shape.",
  security: BEARER,
  request: {
    params: RefParam,
    body: { required: true, content: { "application/json": { schema: ActBody } } },
  },
  responses: {
    200: jsonResponse(ActResponse, "The actions"),
    ...errorResponses(400, 404, 413),
  },
});

function parseRef(ref: string): { name: string; version?: number } {
  const [name, version] = ref.split("@", 2);
  return version === undefined ? { name } : { name, version: Number(version) };
}

/** Adds the policy routes to `app`; the pool's Workers end when the server shuts down. */
export function addPolicyRoutes(app: OpenAPIHono, { engine, home, shutdown }: ApiServices): void {
  const policies: PolicyStore = engine.store.policies;
  let pool: ActPool | undefined;
  const specs = new Map<string, MultiAgentSpec>();
  shutdown.addEventListener("abort", () => pool?.close(), { once: true });

  app.openapi(listRoute, (c) => c.json({ policies: policies.list() }, 200));

  app.openapi(showRoute, (c) => {
    const { name } = c.req.valid("param");
    const policy = policies.get(name);
    return c.json(
      { ...policy, versionList: policies.versions(name), events: policies.events(name) },
      200,
    );
  });

  app.openapi(promoteRoute, (c) => {
    const { name } = c.req.valid("param");
    return c.json(policies.promote(name, c.req.valid("json").version), 200);
  });

  app.openapi(rollbackRoute, (c) => c.json(policies.rollback(c.req.valid("param").name), 200));

  app.openapi(actRoute, async (c) => {
    const ref = parseRef(c.req.valid("param").name);
    const version = policies.version(ref.name, ref.version);
    const architecturePath = join(home, version.files.architecture);
    // Versions never change: each one's spec is read once.
    let spec = specs.get(architecturePath);
    if (spec === undefined) {
      spec = JSON.parse(await Deno.readTextFile(architecturePath)).spec as MultiAgentSpec;
      specs.set(architecturePath, spec);
    }
    const batch = packObservations(spec, c.req.valid("json"));
    pool ??= new ActPool();
    const actions = await pool.act(
      join(home, version.files.policy),
      architecturePath,
      batch.obs,
      batch.avail,
    );
    return c.json({
      name: version.name,
      version: version.version,
      actions: unpackActions(spec, actions),
    }, 200);
  });
}
