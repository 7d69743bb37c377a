import { assert, assertEquals } from "../assert.ts";
import { listDatasets, loadDataset } from "../../data/store.ts";
import { contentHash } from "../../data/manifest.ts";
import { datasetsRoot } from "../../data/home.ts";
import { importedDataset, perform } from "./fixtures/operations.ts";
import { killAtEveryPoint } from "./harness.ts";

/** Every listed dataset loads and its arrays hash to its manifest's content hash. */
async function assertStoreConsistent(home: string): Promise<string[]> {
  const names: string[] = [];
  for (const manifest of await listDatasets({ home })) {
    const { dataset } = await loadDataset(manifest.id, { home });
    assertEquals(contentHash(dataset), manifest.contentHash, `dataset ${manifest.id}`);
    names.push(manifest.name);
  }
  return names.sort();
}

Deno.test("an import killed at any crash point leaves whole datasets only, and its retry stores it once", async () => {
  const points = await killAtEveryPoint("import", async (home) => {
    const names = await assertStoreConsistent(home);
    assert(
      ["first", "first,imported"].includes(names.join()),
      `after the kill the store lists ${names.join()}`,
    );
    // The retry (another process, as after a restart) stores the dataset and clears the debris.
    await perform("import", home);
    assertEquals(await assertStoreConsistent(home), ["first", "imported"]);
    const imported = (await listDatasets({ home })).find((m) => m.name === "imported")!;
    assertEquals(imported.contentHash, contentHash(importedDataset()));
    const entries = [...Deno.readDirSync(datasetsRoot(home))].map((e) => e.name);
    assertEquals(entries.filter((name) => name.startsWith(".")), [], "staging folders left");
  });
  console.log(`dataset import: killed at ${points} crash points`);
});
