import { z } from "zod";
import { assert, assertEquals } from "../assert.ts";
import {
  CheckpointFiles,
  type CorruptCheckpoint,
  decodeCheckpoint,
  defineWorkflow,
  encodeCheckpoint,
  stepCheckpointDir,
} from "../../workflows/mod.ts";
import { eventsOf, openTestEngine } from "./test_engine.ts";

const bytes = (...values: number[]) => new Uint8Array(values);

Deno.test("checkpoints load back newest first and only the last two stay on disk", async () => {
  const dir = Deno.makeTempDirSync();
  const files = new CheckpointFiles(dir);
  assertEquals(await files.loadLatest(), undefined);
  for (let i = 1; i <= 4; i++) assertEquals(await files.save(bytes(i, i, i)), i);
  assertEquals(await files.sequences(), [3, 4]);
  assertEquals(await files.loadLatest(), { sequence: 4, bytes: bytes(4, 4, 4) });
  // No temporary file is left behind by the atomic writes.
  assertEquals([...Deno.readDirSync(dir)].map((e) => e.name).sort(), [
    "00000003.ckpt",
    "00000004.ckpt",
  ]);
  Deno.removeSync(dir, { recursive: true });
});

Deno.test("a corrupt or truncated newest checkpoint falls back to the previous good one", async () => {
  for (
    const damage of [
      (file: Uint8Array) => file.slice(0, file.length - 3), // truncated payload
      (file: Uint8Array) => file.slice(0, 10), // truncated header
      (file: Uint8Array) => file.map((b, i) => (i === file.length - 1 ? b ^ 0xff : b)), // bit flip
    ]
  ) {
    const dir = Deno.makeTempDirSync();
    const files = new CheckpointFiles(dir);
    await files.save(bytes(1, 2, 3, 4, 5, 6));
    await files.save(bytes(7, 8, 9, 10, 11, 12));
    Deno.writeFileSync(files.pathOf(2), damage(Deno.readFileSync(files.pathOf(2))));
    const corrupt: CorruptCheckpoint[] = [];
    const loaded = await files.loadLatest((c) => corrupt.push(c));
    assertEquals(loaded, { sequence: 1, bytes: bytes(1, 2, 3, 4, 5, 6) });
    assertEquals(corrupt.map((c) => c.sequence), [2]);
    Deno.removeSync(dir, { recursive: true });
  }
});

Deno.test("the checkpoint frame round-trips and rejects foreign files", () => {
  const framed = encodeCheckpoint(bytes(42, 43));
  assertEquals(decodeCheckpoint(framed), { payload: bytes(42, 43) });
  const foreign = decodeCheckpoint(new TextEncoder().encode("x".repeat(100)));
  assert("reason" in foreign && foreign.reason === "not a checkpoint file");
});

Deno.test("a step resumes from its last intact checkpoint after a corrupt one", async () => {
  let attempt = 0;
  let home = "";
  const loadedValues: (number | null)[] = [];
  const workflow = defineWorkflow({ name: "counter", description: "test", params: z.object({}) })
    .step("count", {
      retry: { maxAttempts: 2, baseDelayMs: 1 },
      input: () => null,
      run: async (_input, ctx) => {
        attempt++;
        const saved = await ctx.checkpoint.load();
        loadedValues.push(saved ? saved[0] : null);
        let value = saved ? saved[0] : 0;
        while (value < 5) {
          value++;
          await ctx.checkpoint.save(bytes(value));
          if (attempt === 1 && value === 3) {
            // Damage the checkpoint just written, then crash.
            const files = new CheckpointFiles(stepCheckpointDir(home, ctx.runId, "count"));
            Deno.writeFileSync(files.pathOf(3), new Uint8Array([1, 2, 3]));
            throw new Error("power cut");
          }
        }
        return value;
      },
    })
    .build();
  using t = openTestEngine([workflow]);
  home = t.home;
  const { run } = t.engine.submit("counter", {});
  const finished = await t.engine.execute(run.id);
  assertEquals(finished.output, 5);
  assertEquals(loadedValues, [null, 2]);
  const warnings = eventsOf(t.store, run.id, "step.log").map((e) =>
    (e.payload as { message: string }).message
  );
  assert(warnings.some((m) => m.includes("checkpoint 3 is unusable")), warnings.join("\n"));
});
