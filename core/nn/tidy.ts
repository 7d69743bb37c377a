/**
 * `tf.tidy` for functions that return plain objects of tensors (and numbers), which tidy walks
 * but whose interfaces TypeScript cannot see as `TensorContainer`.
 *
 * @module
 */
import { tf } from "../tf.ts";

/** Runs `fn` in a tidy scope, keeping every tensor reachable from its result. */
export function tidyObject<T>(fn: () => T): T {
  return tf.tidy(fn as unknown as () => tf.TensorContainer) as unknown as T;
}
