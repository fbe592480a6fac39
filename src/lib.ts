/**
 * finn-ts as a library (package entry, bundled to dist/finn-ts.js by `npm run build:lib`):
 * run quantized networks bit-exactly on the CPU without an FPGA.
 */
export { compile, compileGraphEngine, Engine, type CompiledModel, type CompileOptions, type EngineInfo, type EngineOptions } from './engine/index.ts';
export { readModel } from './onnx/read.ts';
export { execute, compileGraph } from './exec/run.ts';
export type { Graph } from './ir/graph.ts';
export type { Tensor } from './ir/tensor.ts';
