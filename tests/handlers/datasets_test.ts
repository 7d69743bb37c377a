import { join } from "node:path";
import { assert, assertEquals } from "../assert.ts";
import { exportDataset, listDatasets, saveDataset } from "../../data/mod.ts";
import { makeDataset, makeInfo } from "../data/fixtures.ts";
import { errorOf, openTestApp } from "./test_app.ts";

const SMALL = { env: "spread", tier: "medium", episodes: 4, seed: 3, referenceEpisodes: 2 };

Deno.test("a generated dataset is listed, shown with its statistics and filtered", async () => {
  using t = openTestApp();
  const generated = await t.call("/v1/datasets/generate", { method: "POST", json: SMALL });
  assertEquals(generated.status, 201);
  const manifest = await generated.json();
  assertEquals([manifest.env, manifest.tier, manifest.episodes], ["spread", "medium", 4]);
  const { datasets } = await (await t.call("/v1/datasets")).json();
  assertEquals(datasets.map((d: { id: string }) => d.id), [manifest.id]);
  const shown = await (await t.call(`/v1/datasets/${manifest.id}?bins=4`)).json();
  assertEquals(shown.manifest.id, manifest.id);
  assertEquals(shown.stats.episodes, 4);
  assertEquals(shown.stats.returnHistogram.counts.length, 4);
  const filtered = await t.call(`/v1/datasets/${manifest.id}/filter`, {
    method: "POST",
    json: { filter: "top 2", name: "best-two" },
  });
  assertEquals(filtered.status, 201);
  const derived = await filtered.json();
  assertEquals([derived.name, derived.episodes], ["best-two", 2]);
  assertEquals(derived.lineage, [{ parent: manifest.id, filter: "top 2" }]);
});

Deno.test("bad dataset requests are 400s naming the field; unknown datasets 404", async () => {
  using t = openTestApp();
  const badTier = await errorOf(
    await t.call("/v1/datasets/generate", { method: "POST", json: { ...SMALL, tier: "godlike" } }),
  );
  assertEquals(badTier.status, 400);
  assert(badTier.message.includes("tier"), badTier.message);
  const tooMany = await errorOf(
    await t.call("/v1/datasets/generate", { method: "POST", json: { ...SMALL, episodes: 1e12 } }),
  );
  assert(tooMany.message.includes("episodes"), tooMany.message);
  const missing = await errorOf(await t.call("/v1/datasets/no-such-data"));
  assertEquals([missing.status, missing.code], [404, "not_found"]);
  const badFilter = await errorOf(
    await t.call("/v1/datasets/no-such-data/filter", { method: "POST", json: { filter: "best" } }),
  );
  assertEquals(badFilter.status, 400);
  assert(badFilter.message.includes("best"), badFilter.message);
  const relative = await errorOf(
    await t.call("/v1/datasets/import", { method: "POST", json: { path: "data.csv" } }),
  );
  assertEquals(relative.status, 400);
  assert(relative.message.includes("path"), relative.message);
  assertEquals(await listDatasets({ home: t.home }), []);
});

/** A small CSV file of a test dataset, written by the data layer's exporter. */
async function csvOfTestDataset(dir: string): Promise<string> {
  const source = join(dir, "source-home");
  const dataset = makeDataset([{ length: 5, end: "done" }, { length: 4, end: "truncated" }]);
  const { id } = await saveDataset(dataset, makeInfo("fixture"), { home: source });
  const path = join(dir, "fixture.csv");
  await exportDataset(id, path, "csv", { home: source });
  return path;
}

Deno.test("a dataset is imported from a server-side file and from a streamed upload", async () => {
  const scratch = await Deno.makeTempDir();
  using t = openTestApp({ importDirs: [scratch] });
  try {
    const path = await csvOfTestDataset(scratch);
    const imported = await t.call("/v1/datasets/import", {
      method: "POST",
      json: { path, name: "from-path", env: "test-env" },
    });
    assertEquals(imported.status, 201);
    const { manifest } = await imported.json();
    assertEquals([manifest.name, manifest.episodes, manifest.rows], ["from-path", 2, 9]);
    const uploaded = await t.call("/v1/datasets/upload?format=csv&name=from-upload", {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: (await Deno.open(path)).readable,
    });
    assertEquals(uploaded.status, 201);
    const upload = await uploaded.json();
    assertEquals([upload.manifest.name, upload.manifest.rows], ["from-upload", 9]);
    assertEquals(upload.manifest.contentHash, manifest.contentHash);
    const leftovers = [...Deno.readDirSync(join(t.home, "uploads"))];
    assertEquals(leftovers, [], "the temporary upload file is removed");
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("Parquet files are imported from the server's disk and uploaded, both layouts", async () => {
  const scratch = await Deno.makeTempDir();
  using t = openTestApp({ importDirs: [scratch] });
  try {
    const source = join(scratch, "source-home");
    const dataset = makeDataset([{ length: 5, end: "done" }, { length: 4, end: "truncated" }]);
    const { id, contentHash } = await saveDataset(dataset, makeInfo("fixture"), { home: source });
    const canonical = join(scratch, "fixture.parquet");
    const long = join(scratch, "long.parquet");
    await exportDataset(id, canonical, undefined, { home: source });
    await exportDataset(id, long, "parquet-long", { home: source });
    const imported = await t.call("/v1/datasets/import", {
      method: "POST",
      json: { path: canonical, name: "from-path" },
    });
    assertEquals(imported.status, 201);
    assertEquals((await imported.json()).manifest.contentHash, contentHash);
    const uploaded = await t.call("/v1/datasets/upload?format=parquet-long&name=long-upload", {
      method: "POST",
      headers: { "Content-Type": "application/octet-stream" },
      body: (await Deno.open(long)).readable,
    });
    assertEquals(uploaded.status, 201);
    const upload = await uploaded.json();
    assertEquals([upload.manifest.source, upload.manifest.contentHash], [
      "parquet-long",
      contentHash,
    ]);
    // A canonical upload declared as the long layout is refused naming the upload.
    const wrong = await errorOf(
      await t.call("/v1/datasets/upload?format=parquet-long", {
        method: "POST",
        body: await Deno.readFile(canonical),
      }),
    );
    assertEquals(wrong.status, 400);
    assert(wrong.message.startsWith("the upload: "), wrong.message);
  } finally {
    await Deno.remove(scratch, { recursive: true });
  }
});

Deno.test("an upload past the limit is a 413 and leaves nothing behind", async () => {
  using t = openTestApp({ uploadLimitBytes: 1000 });
  const big = new Uint8Array(5000).fill(65);
  const declared = await errorOf(
    await t.call("/v1/datasets/upload?format=csv", { method: "POST", body: big }),
  );
  assertEquals([declared.status, declared.code], [413, "too_large"]);
  // Without a Content-Length: counted while streaming.
  const streamed = await errorOf(
    await t.call("/v1/datasets/upload?format=csv", {
      method: "POST",
      body: new Blob([big]).stream(),
    }),
  );
  assertEquals([streamed.status, streamed.code], [413, "too_large"]);
  const leftovers = [...Deno.readDirSync(join(t.home, "uploads"))];
  assertEquals(leftovers, []);
  const badCsv = await errorOf(
    await t.call("/v1/datasets/upload?format=csv", { method: "POST", body: "a,b\n1,2\n" }),
  );
  assertEquals(badCsv.status, 400);
  assert(badCsv.message.startsWith("the upload: "), badCsv.message);
  assert(!badCsv.message.includes(t.home), "no server paths in the message");
  const noFormat = await errorOf(
    await t.call("/v1/datasets/upload", { method: "POST", body: "a,b\n" }),
  );
  assert(noFormat.message.includes("format"), noFormat.message);
  assertEquals(await listDatasets({ home: t.home }), []);
});

Deno.test("server-side imports read only the import folders: no path, .. or symlink leads out", async () => {
  using t = openTestApp();
  const imports = join(t.home, "imports");
  await Deno.mkdir(imports, { recursive: true });
  const outside = await Deno.makeTempDir();
  try {
    const secret = join(outside, "secret.csv");
    await Deno.writeTextFile(secret, "root:x:0:0:root:/root:/bin/bash\n");
    await Deno.symlink(secret, join(imports, "link.csv"));
    const refusals: [string, number][] = [
      ["/etc/passwd", 403],
      [secret, 403],
      [join(imports, "..", "..", "etc", "passwd"), 403],
      [join(imports, "link.csv"), 403],
      [join(imports, "missing.csv"), 404],
      [imports, 400],
    ];
    for (const [path, status] of refusals) {
      const error = await errorOf(
        await t.call("/v1/datasets/import", { method: "POST", json: { path, format: "csv" } }),
      );
      assertEquals(error.status, status, `${path}: ${error.message}`);
      assert(!error.message.includes("root:x"), `${path}: no file contents in the error`);
    }
    assertEquals(await listDatasets({ home: t.home }), []);
    // Inside the folder, the same file imports as usual.
    const inside = await csvOfTestDataset(imports);
    const imported = await t.call("/v1/datasets/import", {
      method: "POST",
      json: { path: inside },
    });
    assertEquals(imported.status, 201);
  } finally {
    await Deno.remove(outside, { recursive: true });
  }
});
