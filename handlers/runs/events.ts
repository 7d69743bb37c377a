/**
 * A run's events as Server-Sent Events: the log is replayed after `Last-Event-ID` (or
 * `?after=`), then followed live; the stream ends after the run's terminal event. Each
 * message has the event's sequence number as its id and its type as the event name.
 *
 * @module
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { ApiServices } from "../services.ts";
import { BEARER, errorResponses } from "../openapi/schemas.ts";
import { RunIdParam } from "./schemas.ts";
import { SubscriberCounts, tooMany } from "../limits/mod.ts";

/** When a client refused for too many open streams may try again, in seconds. */
const SUBSCRIBER_RETRY_S = 5;

/** How often a comment line keeps an idle stream open through proxies, in ms. */
export const KEEPALIVE_MS = 15_000;

const sequence = z.string().regex(/^\d{1,15}$/, { message: "expected an event sequence number" });

const eventsRoute = createRoute({
  method: "get",
  path: "/v1/runs/{id}/events",
  tags: ["runs"],
  operationId: "followRunEvents",
  summary: "Follow a run's events (Server-Sent Events)",
  description: "Replays the run's events after `Last-Event-ID` (or `after`), then streams new " +
    "ones until the run ends. Message id: the event's sequence number; event name: its type " +
    "(`run.submitted`, `step.progress`, ...); data: the event as JSON.",
  security: BEARER,
  request: {
    params: RunIdParam,
    headers: z.object({
      "Last-Event-ID": sequence.optional(),
    }),
    query: z.object({ after: sequence.optional() }),
  },
  responses: {
    200: {
      description: "An event stream",
      content: {
        "text/event-stream": {
          schema: z.string().openapi({
            example: 'id: 7\nevent: step.progress\ndata: {"seq":7,"type":"step.progress",...}\n\n',
          }),
        },
      },
    },
    ...errorResponses(400, 404, 429),
  },
});

/** Adds the event stream route to `app`. */
export function addRunEventRoutes(
  app: OpenAPIHono,
  { engine, shutdown, limits }: ApiServices,
): void {
  const subscribers = new SubscriberCounts(limits.subscribersPerRun);
  app.openapi(eventsRoute, (c) => {
    const id = engine.store.runs.resolveId(c.req.valid("param").id);
    const afterSeq = Number(
      c.req.valid("header")["Last-Event-ID"] ?? c.req.valid("query").after ?? 0,
    );
    const stop = new AbortController();
    // Throws not_found before the stream starts, so a missing run is a JSON 404.
    const events = engine.events(id, { afterSeq, signal: stop.signal });
    if (!subscribers.open(id)) {
      stop.abort();
      return tooMany(
        c,
        "too_many_subscribers",
        `run ${id} already has ${subscribers.limit} open event streams; retry later`,
        SUBSCRIBER_RETRY_S,
      );
    }
    const onShutdown = () => stop.abort();
    shutdown.addEventListener("abort", onShutdown, { once: true });
    return streamSSE(c, async (stream) => {
      stream.onAbort(() => stop.abort());
      const keepalive = setInterval(() => {
        stream.write(": keepalive\n\n").catch(() => stop.abort());
      }, KEEPALIVE_MS);
      try {
        for await (const event of events) {
          await stream.writeSSE({
            id: String(event.seq),
            event: event.type,
            data: JSON.stringify(event),
          });
        }
      } finally {
        clearInterval(keepalive);
        shutdown.removeEventListener("abort", onShutdown);
        stop.abort();
        subscribers.close(id);
      }
    }, async (error, stream) => {
      console.error(`event stream of run ${id} failed:`, error);
      await stream.writeSSE({
        event: "error",
        data: JSON.stringify({ error: { code: "internal", message: "the event stream failed" } }),
      });
    });
  });
}
