/**
 * Importer for Arrow IPC files (or streams) in the canonical layout, as `datasets export
 * --format arrow` writes them (data/arrow_layout.ts): the spec comes from the schema metadata,
 * the name, environment and reference returns from the stored info when present.
 *
 * @module
 */
import { readArrowFile } from "../arrow_layout.ts";
import { saveDataset } from "../store.ts";
import { importedInfo, type ImportOptions, type ImportResult, requireFile } from "./options.ts";

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
  const manifest = await saveDataset(dataset, importedInfo(path, options, "arrow", info), {
    home: options.home,
    expectedSpec: options.expectedSpec,
    naming: { file: path },
  });
  return { manifest, notes: [] };
}
