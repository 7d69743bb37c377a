/**
 * What every importer accepts and returns.
 *
 * @module
 */
import type { DatasetInfo, MultiAgentSpec, ReferenceReturns } from "../../core/dataset.ts";
import { DatasetError } from "../errors.ts";
import type { StoreOptions } from "../home.ts";
import type { DatasetManifest } from "../manifest.ts";

/** Options of the importers. */
export interface ImportOptions extends StoreOptions {
  /** Dataset name (default: the file's base name, or the name stored in an Arrow file). */
  name?: string;
  /** Environment name (default: the one stored in an Arrow file, else `unknown`). */
  env?: string;
  /** Quality tier (`expert`, `medium`, ...). */
  tier?: string;
  /** Random/expert reference returns for normalised scores. */
  reference?: ReferenceReturns;
  /** The shapes of `env` when it is a built-in environment: a file of other shapes is refused. */
  expectedSpec?: MultiAgentSpec;
}

/** The stored dataset and what the importer wants the user to know. */
export interface ImportResult {
  manifest: DatasetManifest;
  /** Rows of the input that did not become canonical rows, and why. */
  notes: string[];
}

/** The base name of a path without its extension. */
export function baseName(path: string): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  const dot = file.lastIndexOf(".");
  return dot > 0 ? file.slice(0, dot) : file;
}

/**
 * The info an imported file is stored with: the caller's options first, then what the file
 * itself recorded (Arrow files carry their info), then defaults (the file's base name, env
 * `unknown`).
 */
export function importedInfo(
  path: string,
  options: ImportOptions,
  source: string,
  recorded?: Partial<DatasetInfo>,
): DatasetInfo {
  return {
    name: options.name ?? recorded?.name ?? baseName(path),
    env: options.env ?? recorded?.env ?? "unknown",
    envConfig: recorded?.envConfig ?? {},
    tier: options.tier ?? recorded?.tier,
    behaviourReturn: recorded?.behaviourReturn,
    reference: options.reference ?? recorded?.reference,
    source,
    lineage: recorded?.lineage,
  };
}

/** Throws `not_found` unless `path` is a readable file. */
export async function requireFile(path: string): Promise<void> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) throw new DatasetError("not_found", "expected a file", { file: path });
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new DatasetError("not_found", "no such file", { file: path });
    }
    throw error;
  }
}
