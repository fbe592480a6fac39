/** The committed WebAssembly is compiled from the committed WAT; the library entry works under plain Node. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compileWat } from '../../src/engine/wasm/build.ts';
import { KERNELS_WASM_BASE64 } from '../../src/engine/wasm/kernels-wasm.ts';
import { ROOT, ZOO_W1A1 } from '../helpers/shared.ts';
import { readModel } from '../../src/onnx/read.ts';
import { compileGraph } from '../../src/exec/run.ts';

test('src/engine/wasm/kernels-wasm.ts is up to date with kernels.wat (npm run build:wasm)', async () => {
  assert.equal(Buffer.from(await compileWat()).toString('base64'), KERNELS_WASM_BASE64);
});

test("import { compile } from 'finn-ts' under plain node (bundled dist/), 2 threads, equals the reference", () => {
  const b = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/build-lib.ts'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(b.status, 0, b.stderr);
  const script = `import { compile } from 'finn-ts';
const m = await compile(${JSON.stringify(ZOO_W1A1)}, { threads: 2 });
const x = Float64Array.from({ length: 784 * 64 }, (_, i) => ((i * 7919) % 256) / 255);
const y = await m.run(x);
await m.close();
process.stdout.write(JSON.stringify(Array.from(y)));`;
  // a module inside the package, so that 'finn-ts' resolves to this checkout through package.json "exports"
  mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
  const file = join(ROOT, 'test-artifacts', 'library-consumer.mjs');
  writeFileSync(file, script);
  const r = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as number[];
  const g = readModel(ZOO_W1A1), run = compileGraph(g);
  const x = Float64Array.from({ length: 784 * 64 }, (_, i) => ((i * 7919) % 256) / 255);
  for (let f = 0; f < 64; f++) {
    const want = run({ [g.inputs[0]!]: { shape: [1, 1, 28, 28], data: x.subarray(f * 784, (f + 1) * 784) } }).get(g.outputs[0]!)!.data;
    assert.deepEqual(got.slice(f * 10, (f + 1) * 10), Array.from(want), `frame ${f}`);
  }
});
