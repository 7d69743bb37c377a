/**
 * Test assertions on top of `node:assert/strict` (Deno's standard library is not reachable
 * from these machines), in the shape the tests read best.
 *
 * @module
 */
import nodeAssert from "node:assert/strict";

/** Fails with `message` unless `condition` holds. */
export function assert(condition: unknown, message?: string): asserts condition {
  nodeAssert.ok(condition, message);
}

/** Deep, strict equality. */
export function assertEquals<T>(actual: unknown, expected: T, message?: string): void {
  nodeAssert.deepStrictEqual(actual, expected, message);
}

/** `|actual - expected| <= tolerance`. */
export function assertClose(actual: number, expected: number, tolerance: number, what = ""): void {
  const gap = Math.abs(actual - expected);
  assert(
    gap <= tolerance,
    `${what ? `${what}: ` : ""}${actual} differs from ${expected} by ${gap} > ${tolerance}`,
  );
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

/** Calls `fn`, expects it to throw an instance of `errorClass` whose message contains `text`. */
export function assertThrows<E extends Error>(
  fn: () => unknown,
  errorClass: ErrorClass<E>,
  text = "",
): E {
  try {
    fn();
  } catch (error) {
    return checkError(error, errorClass, text);
  }
  throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name} to be thrown` });
}

/** Awaits `fn`, expects it to reject with an instance of `errorClass` containing `text`. */
export async function assertRejects<E extends Error>(
  fn: () => Promise<unknown>,
  errorClass: ErrorClass<E>,
  text = "",
): Promise<E> {
  try {
    await fn();
  } catch (error) {
    return checkError(error, errorClass, text);
  }
  throw new nodeAssert.AssertionError({ message: `expected ${errorClass.name} to be rejected` });
}

function checkError<E extends Error>(error: unknown, errorClass: ErrorClass<E>, text: string): E {
  assert(
    error instanceof errorClass,
    `expected ${errorClass.name}, got ${error instanceof Error ? error.name : typeof error}: ${
      error instanceof Error ? error.message : String(error)
    }`,
  );
  assert(error.message.includes(text), `message "${error.message}" lacks "${text}"`);
  return error;
}
