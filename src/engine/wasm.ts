/** WebAssembly kernels (placeholder until the WAT module is built: falls back to TS). */
import { tsKernels, views, type Kernels } from './kernels.ts';
export function wasmKernels(memory: WebAssembly.Memory): Kernels {
  return tsKernels(views(memory.buffer));
}
