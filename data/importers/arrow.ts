/**
 * Importer for Arrow IPC files (or streams) in the canonical layout, as `datasets export
 * --format arrow` writes them (data/arrow_layout.ts): the spec comes from the schema metadata,
 * the name, environment and reference returns from the stored info when present.
 *
 * @module
 */
import { readArrowFile } from "../arrow_layout.ts";
import { saveDataset } from "../store.ts";
import { baseName, type ImportOptions, type ImportResult, requireFile } from "./options.ts";

/**
 * Imports an Arrow IPC file in the canonical layout into the store.
 *
 * @example
 * ```ts ignore
 * const { manifest } = await importArrow("exported.arrow");
 * ```
 */
export async function importArrow(
  path: string,
  options: ImportOptions = {},
): Promise<ImportResult> {
  await requireFile(path);
  const { dataset, info } = await readArrowFile(path);
  const manifest = await saveDataset(dataset, {
    name: options.name ?? info?.name ?? baseName(path),
    env: options.env ?? info?.env ?? "unknown",
    envConfig: info?.envConfig ?? {},
    tier: options.tier ?? info?.tier,
    behaviourReturn: info?.behaviourReturn,
    reference: options.reference ?? info?.reference,
    source: "arrow",
    lineage: info?.lineage,
  }, { home: options.home, naming: { file: path } });
  return { manifest, notes: [] };
}
