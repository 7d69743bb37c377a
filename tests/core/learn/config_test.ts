import { assertEquals, assertThrows } from "../../assert.ts";
import { ValidationError } from "../../../core/errors.ts";
import { parseTrainConfig } from "../../../core/learn/config.ts";

Deno.test("the defaults are the paper's", () => {
  const config = parseTrainConfig();
  assertEquals(config, {
    algorithm: "omiga",
    seed: 0,
    batchSize: 128,
    hiddenSize: 256,
    mixerHiddenSize: 64,
    policyLr: 5e-4,
    qLr: 5e-4,
    vLr: 5e-4,
    gamma: 0.99,
    tau: 0.005,
    alpha: 10,
    gradClip: 1.0,
    adamBeta1: 0.9,
    adamBeta2: 0.999,
    adamEps: 1e-8,
    gradients: "hand",
  });
});

Deno.test("bad config values are rejected with an error naming the field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ alpha: 0 }, "alpha"],
    [{ batchSize: 12.5 }, "batchSize"],
    [{ gamma: 1.5 }, "gamma"],
    [{ tau: 0 }, "tau"],
    [{ algorithm: "iql" }, "algorithm"],
    [{ hiddenSize: "256" }, "hiddenSize"],
    [{ learningRate: 1e-3 }, "learningRate"], // unknown key: a typo must not pass silently
  ];
  for (const [input, field] of cases) {
    assertThrows(() => parseTrainConfig(input), ValidationError, field);
  }
});
