import fc from "fast-check";
import { assert, assertEquals } from "../assert.ts";
import { CheckpointFiles, decodeCheckpoint, encodeCheckpoint } from "../../workflows/mod.ts";
import { CASE_TIME_LIMIT_MS, FUZZ_SEED, fuzzRuns, mutatedBytes } from "../fuzz.ts";

/** Cases per property (the file runs in about a second). */
export const CHECKPOINT_FRAME_FUZZ_CASES = { frames: 10_000, folders: 200 };

const payloads = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)];
const frames = payloads.map(encodeCheckpoint);

const sameBytes = (a: Uint8Array, b: Uint8Array) =>
  a.length === b.length && a.every((byte, i) => byte === b[i]);

Deno.test(`${CHECKPOINT_FRAME_FUZZ_CASES.frames} mutated or arbitrary checkpoint frames verify only when intact, else give a reason`, () => {
  fc.assert(
    fc.property(mutatedBytes(frames), (file) => {
      const started = performance.now();
      const decoded = decodeCheckpoint(file);
      assert(performance.now() - started < CASE_TIME_LIMIT_MS, "one case took too long");
      if ("payload" in decoded) {
        // SHA-256 verified: only a whole, unchanged frame gets here.
        assert(sameBytes(encodeCheckpoint(decoded.payload), file), "a changed frame verified");
      } else {
        assertEquals(typeof decoded.reason, "string");
        assert(decoded.reason.length > 0);
        assert(!frames.some((frame) => sameBytes(frame, file)), "an intact frame was refused");
      }
    }),
    { numRuns: fuzzRuns(CHECKPOINT_FRAME_FUZZ_CASES.frames), seed: FUZZ_SEED },
  );
});

Deno.test(`${CHECKPOINT_FRAME_FUZZ_CASES.folders} folders of intact and damaged checkpoints load the newest intact one`, async () => {
  const dir = await Deno.makeTempDir();
  try {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.option(mutatedBytes(frames, 64), { freq: 2 }), { minLength: 1, maxLength: 4 }),
        async (damaged) => {
          for (const entry of Deno.readDirSync(dir)) Deno.removeSync(`${dir}/${entry.name}`);
          const files = new CheckpointFiles(dir, 10);
          // Each checkpoint is left intact (null) or replaced by damaged bytes.
          for (const [i, damage] of damaged.entries()) {
            await files.save(new Uint8Array([i, i + 1]));
            if (damage !== null) Deno.writeFileSync(files.pathOf(i + 1), damage);
          }
          const corrupt: number[] = [];
          const loaded = await files.loadLatest((c) => corrupt.push(c.sequence));
          const newest = damaged.findLastIndex((damage) =>
            damage === null || "payload" in decodeCheckpoint(damage)
          );
          assertEquals(loaded?.sequence, newest < 0 ? undefined : newest + 1);
          assertEquals(corrupt.length, damaged.length - 1 - newest);
        },
      ),
      { numRuns: fuzzRuns(CHECKPOINT_FRAME_FUZZ_CASES.folders), seed: FUZZ_SEED },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
