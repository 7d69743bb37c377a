/**
 * DuckDB's CSV reader explains a bad file in a page of text: the offending line in full, its
 * parser settings, the options that would skip the row, and the name it registered the file
 * under (`input_1.csv`). The user needs the line, the field and what was expected; this reads
 * those out of the message and drops the rest.
 *
 * @module
 */
import type { DatasetErrorLocation } from "../errors.ts";

/** What DuckDB's message says was wrong, and where. */
export interface CsvProblem {
  /** The 1-based line of the file (the header is line 1). */
  line?: number;
  /** The column, when DuckDB names one. */
  field?: string;
  /** What was expected, in a few words. */
  problem: string;
}

/** Longest first line of an unrecognised DuckDB message that is passed on. */
const MAX_FALLBACK = 160;

const NUMERIC = /^(DOUBLE|FLOAT|REAL|DECIMAL.*|(U?(TINY|SMALL|BIG|HUGE)?INT(EGER)?))$/i;

function expectedType(type: string): string {
  if (NUMERIC.test(type)) return "expected a number";
  if (/^BOOL(EAN)?$/i.test(type)) return "expected true, false, 0 or 1";
  return `expected a value of type ${type.toLowerCase()}`;
}

/**
 * The line, field and problem in a DuckDB CSV error message.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { csvProblem } from "./csv_problem.ts";
 * const message = "Invalid Input Error: CSV Error on Line: 4\nOriginal Line: 0,0,2,9\n" +
 *   "Expected Number of Columns: 40 Found: 41\nPossible fixes:\n  file = input_1.csv\n";
 * assert.deepEqual(csvProblem(message), { line: 4, problem: "expected 40 fields, found 41" });
 * ```
 */
export function csvProblem(message: string): CsvProblem {
  const lineMatch = /CSV Error on Line: (\d+)/.exec(message);
  const line = lineMatch === null ? undefined : Number(lineMatch[1]);
  const at = (problem: string, field?: string): CsvProblem => ({
    ...(line === undefined ? {} : { line }),
    ...(field === undefined ? {} : { field }),
    problem,
  });
  const columns = /Expected Number of Columns: (\d+) Found: (\d+)/.exec(message);
  if (columns !== null) return at(`expected ${columns[1]} fields, found ${columns[2]}`);
  const conversion = /converting column "([^"]+)"[\s\S]*?to '([A-Z0-9_()]+)'/.exec(message);
  if (conversion !== null) return at(expectedType(conversion[2]), conversion[1]);
  if (/unterminated quote/i.test(message)) return at("a quoted field is not closed");
  if (/Maximum line size/i.test(message)) return at("a line is longer than the reader allows");
  if (/invalid unicode|UTF-8/i.test(message)) return at("expected UTF-8 text");
  const first = message.split("\n")[0].replace(/^[A-Za-z ]*Error: /, "").trim();
  const short = first.length > MAX_FALLBACK ? `${first.slice(0, MAX_FALLBACK)}...` : first;
  return at(`not readable as CSV (${short})`);
}

/** Where a {@link CsvProblem} is, for a `DatasetError` on `file`. */
export function csvProblemLocation(file: string, problem: CsvProblem): DatasetErrorLocation {
  return {
    file,
    ...(problem.field === undefined ? {} : { field: problem.field }),
    ...(problem.line === undefined ? {} : { row: `line ${problem.line}` }),
  };
}
