/**
 * TensorFlow.js for training: the WebAssembly backend (XNNPACK, SIMD; about 5× the pure-JS CPU backend on this
 * machine for TFC, 2× for LFC) with the CPU backend as a fallback. The .wasm binaries ship inside the npm package and
 * are loaded from node_modules: nothing is downloaded at run time. Imported lazily (only `finn train` pays the load).
 */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { FinnError } from '../util/errors.ts';

export { tf };

export type TfBackend = 'wasm' | 'cpu';

let prepared = false;

/** Select (and initialise once) a backend; returns the backend actually in use. */
export async function useBackend(name: TfBackend = 'wasm'): Promise<TfBackend> {
  if (!prepared) {
    prepared = true;
    const require = createRequire(import.meta.url);
    // dist/ holds tfjs-backend-wasm{,-simd,-threaded-simd}.wasm next to the Node entry point
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);
    // production mode: no per-op debug checks, and no console advertisement for tfjs-node when the CPU backend starts
    tf.enableProdMode();
  }
  if (tf.getBackend() === name) return name;
  let ok = false;
  try {
    ok = await tf.setBackend(name);
  } catch (e) {
    throw new FinnError('E_TOOL', `TensorFlow.js backend "${name}" failed to start: ${(e as Error).message}`, 'try --backend cpu');
  }
  if (!ok) throw new FinnError('E_TOOL', `TensorFlow.js backend "${name}" is not available`, 'try --backend cpu');
  await tf.ready();
  return name;
}
