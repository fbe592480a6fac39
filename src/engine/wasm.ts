/** The WebAssembly kernels (kernels.wat, committed compiled as kernels-wasm.ts) bound to an arena memory. */
import type { Kernels } from './kernels.ts';
import { KERNELS_WASM_BASE64 } from './wasm/kernels-wasm.ts';

let compiled: WebAssembly.Module | undefined;

/** The compiled module (compiled once per thread; synchronous compilation is fine in Node for a module this small). */
function module(): WebAssembly.Module {
  compiled ??= new WebAssembly.Module(Buffer.from(KERNELS_WASM_BASE64, 'base64'));
  return compiled;
}

type F = (...args: number[]) => void;

export function wasmKernels(memory: WebAssembly.Memory): Kernels {
  const ex = new WebAssembly.Instance(module(), { env: { memory } }).exports as Record<string, F>;
  return {
    name: 'wasm',
    xnorAcc: ex.xnor_acc as Kernels['xnorAcc'],
    xnorThrBits: ex.xnor_thr_bits as Kernels['xnorThrBits'],
    dotI16: ex.dot_i16 as Kernels['dotI16'],
    geBitsF64: ex.ge_bits_f64 as Kernels['geBitsF64'],
    geBitsI32: ex.ge_bits_i32 as Kernels['geBitsI32'],
  };
}
