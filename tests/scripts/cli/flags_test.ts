import { z } from "zod";
import { assertEquals, assertThrows } from "../../assert.ts";
import { ValidationError } from "../../../core/errors.ts";
import { paramsFromFlags } from "../../../scripts/cli/flags.ts";
import { formatDuration, progressLine } from "../../../scripts/cli/progress_view.ts";

const schema = z.object({
  evalEpisodes: z.number().int().default(10),
  dataset: z.string().optional(),
  fast: z.boolean().default(false),
  seeds: z.array(z.string()).default([]),
});

Deno.test("flags become typed parameters named after the schema's fields", () => {
  assertEquals(
    paramsFromFlags(schema, [
      "--eval-episodes",
      "12",
      "--dataset=spread-medium",
      "--fast",
      "--seeds",
      "1",
      "--seeds",
      "2",
    ]),
    { evalEpisodes: 12, dataset: "spread-medium", fast: true, seeds: ["1", "2"] },
  );
  assertEquals(paramsFromFlags(schema, ["--fast", "false"]), { fast: false });
});

Deno.test("unknown flags and missing values are refused, naming the flag", () => {
  assertThrows(
    () => paramsFromFlags(schema, ["--episodes", "3"]),
    ValidationError,
    "--eval-episodes",
  );
  assertThrows(() => paramsFromFlags(schema, ["--dataset"]), ValidationError, "--dataset");
  assertThrows(() => paramsFromFlags(schema, ["spread"]), ValidationError, "spread");
});

Deno.test("a plain progress line shows count, percentage, rate, ETA and metrics", () => {
  assertEquals(
    progressLine("train", {
      unit: "iteration",
      done: 200,
      total: 600,
      perSecond: 41.26,
      etaSeconds: 9.7,
      metrics: { q_loss: 0.5, v_loss: 0.000012 },
    }),
    "train: iteration 200/600 (33%) 41.3/s ETA 0:10 q_loss=0.5000 v_loss=1.200e-5",
  );
  assertEquals(formatDuration(3725), "1:02:05");
});
