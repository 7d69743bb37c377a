import { assert, assertEquals } from "../assert.ts";
import { CheckpointFiles, type CorruptCheckpoint } from "../../workflows/checkpoint.ts";
import { checkpointDir, checkpointPayload, perform } from "./fixtures/operations.ts";
import { killAtEveryPoint } from "./harness.ts";

Deno.test("a checkpoint write killed at any crash point leaves the newest good one loadable, and a torn newest falls back", async () => {
  const points = await killAtEveryPoint("checkpoint", async (home) => {
    const files = new CheckpointFiles(checkpointDir(home));
    const corrupt: CorruptCheckpoint[] = [];
    const loaded = await files.loadLatest((c) => corrupt.push(c));
    assertEquals(corrupt, []);
    assert(loaded !== undefined, "no checkpoint loads");
    assert([2, 3].includes(loaded.sequence), `checkpoint ${loaded.sequence} loaded`);
    assertEquals(loaded.bytes, checkpointPayload(loaded.sequence));

    // A power cut could instead have torn the newest frame: loading falls back to the one before.
    const newest = files.pathOf(loaded.sequence);
    const frame = Deno.readFileSync(newest);
    Deno.writeFileSync(newest, frame.subarray(0, frame.length >> 1));
    const previous = await files.loadLatest((c) => corrupt.push(c));
    assertEquals(corrupt.map((c) => c.sequence), [loaded.sequence]);
    assertEquals(previous?.sequence, loaded.sequence - 1);
    assertEquals(previous?.bytes, checkpointPayload(loaded.sequence - 1));
    Deno.writeFileSync(newest, frame);

    // The retry (after a restart) writes the next checkpoint and leaves no temporary file.
    await perform("checkpoint", home);
    const retried = await files.loadLatest();
    assertEquals(retried?.bytes, checkpointPayload(3));
    const names = [...Deno.readDirSync(files.dir)].map((e) => e.name);
    assertEquals(names.filter((name) => !name.endsWith(".ckpt")), [], "temporary files left");
    assertEquals(names.length, 2);
  });
  console.log(`checkpoint write: killed at ${points} crash points`);
});
