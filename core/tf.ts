/**
 * The one place that imports TensorFlow.js. `@tensorflow/tfjs` (not `-core`) registers the
 * gradient kernels, so `tf.grads` and the optimisers work on every backend; the wasm and
 * webgpu backends register their factories here (nothing starts until a backend is selected,
 * see `core/backend`).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";

export { tf };
