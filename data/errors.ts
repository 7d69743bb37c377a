/**
 * Typed errors of the data layer. Every message names the file (or dataset), the field, the row
 * and what was expected, so that a user can fix the input without reading the code.
 *
 * @module
 */
import { OmigaError } from "../core/errors.ts";

/** Stable codes: `invalid_dataset` (validation), `not_found`, `unsupported_format`, `invalid_input`. */
export type DatasetErrorCode =
  | "invalid_dataset"
  | "not_found"
  | "unsupported_format"
  | "invalid_input";

/** Where in an input a problem sits. */
export interface DatasetErrorLocation {
  /** The file being read, or the dataset id. */
  file?: string;
  /** The field (HDF5 dataset, CSV column, Arrow column, canonical field). */
  field?: string;
  /** A human description of the row, e.g. `row 17` or `line 18 (episode 2, t 5, agent 1)`. */
  row?: string;
}

/**
 * A dataset could not be read, validated, found or filtered.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { DatasetError } from "./errors.ts";
 * const error = new DatasetError("invalid_dataset", "expected a finite number, got NaN", {
 *   file: "data.h5",
 *   field: "r",
 *   row: "row 3",
 * });
 * assert.ok(error.message === "data.h5: field r, row 3: expected a finite number, got NaN");
 * ```
 */
export class DatasetError extends OmigaError {
  /** Where the problem is. */
  readonly location: DatasetErrorLocation;

  constructor(
    code: DatasetErrorCode,
    problem: string,
    location: DatasetErrorLocation = {},
    options?: ErrorOptions,
  ) {
    super(code, describe(problem, location), options);
    this.location = location;
  }
}

function describe(problem: string, { file, field, row }: DatasetErrorLocation): string {
  const where = [field === undefined ? "" : `field ${field}`, row ?? ""].filter((s) => s !== "");
  const prefix = [file ?? "", where.join(", ")].filter((s) => s !== "").join(": ");
  return prefix === "" ? problem : `${prefix}: ${problem}`;
}
