/** Regenerate src/engine/wasm/kernels-wasm.ts from src/engine/wasm/kernels.wat. */
import { writeFileSync } from 'node:fs';
import { compileWat, wasmModuleSource, WASM_TS_PATH } from '../src/engine/wasm/build.ts';

const bytes = await compileWat();
writeFileSync(WASM_TS_PATH, wasmModuleSource(bytes));
console.log(`wrote ${WASM_TS_PATH} (${bytes.length} bytes of WebAssembly)`);
