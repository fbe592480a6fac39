/**
 * Short stitched-RTL runs in Icarus Verilog (the RTL sample of `finn explore` points): the same classes as Verilator
 * (optimized and quick builds) and as the reference executor on real MNIST images, for W1A1 and W2A2 designs; a run that stops is a clear E_SIM;
 * the simulator choice for short and long runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { build } from '../../src/build.ts';
import { evalRtl } from '../../src/backend/rtl-eval.ts';
import { evaluate } from '../../src/runtime/eval.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { designOf, singleIo } from '../../src/backend/design.ts';
import { readFileSync } from 'node:fs';
import { runIcarus, shortRunSimulator, ICARUS_MAX_CYCLES } from '../../src/sim/icarus.ts';
import { FinnError } from '../../src/util/errors.ts';
import { MNIST, ROOT, tempDir } from '../helpers/shared.ts';

const N = 20;

for (const [name, model, fps] of [['W1A1', 'tfc_w1a1.onnx', 'max'], ['W2A2', 'tfc_w2a2.onnx', 200000]] as const) {
  test(`Icarus and Verilator classify ${N} MNIST images alike through the stitched RTL (examples/${model}, --target-fps ${fps})`, async () => {
    const dir = tempDir(`icarus-${name}`);
    const out = join(dir, 'build');
    const r = await build({ model: join(ROOT, 'examples', model), out, part: 'xc7z020', clockNs: 10, targetFps: fps, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, to: 'rtl', log: () => {}, simCacheDir: join(dir, 'sim') });
    const ds = loadDataset(`mnist-idx:${MNIST}`, N);
    const ref = evaluate(r.graph, ds);
    const sim = { cacheDir: join(dir, 'sim'), seed: 1, stallProb: 0, log: () => {} };
    const iv = await evalRtl(out, r.graph, ds, { ...sim, simulator: 'icarus' });
    const vl = await evalRtl(out, r.graph, ds, { ...sim, simulator: 'verilator' });
    // a quick build (loops kept, modules not inlined, one unoptimized unit: explore's RTL samples) gives the same classes
    const vq = await evalRtl(out, r.graph, ds, { ...sim, simulator: 'verilator', quickBuild: true });
    assert.deepEqual(iv.predictions, vl.predictions);
    assert.deepEqual(vq.predictions, vl.predictions);
    assert.deepEqual(iv.predictions, Array.from(ref.predictions));
    assert.equal(iv.correct, ref.correct);
    assert.ok(iv.correct >= 15, `${iv.correct}/${N} correct`);
  });
}

test('Icarus: a run whose outputs never all come ends as "deadlock" after the idle timeout (not a hang); a missing source is E_FILE', async () => {
  const dir = tempDir('icarus-stop');
  const out = join(dir, 'build');
  const r = await build({ model: join(ROOT, 'examples/tfc_w1a1.onnx'), out, part: 'xc7z020', clockNs: 10, targetFps: 'max', preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, to: 'rtl', log: () => {}, simCacheDir: join(dir, 'sim') });
  const d = designOf(r.graph);
  const io = singleIo(d);
  const rtl = join(out, 'rtl');
  const sources = readFileSync(join(rtl, 'filelist.f'), 'utf8').trim().split('\n').map((f) => join(rtl, f));
  const bits = (w: number): number => Math.ceil(w / 8) * 8;
  // one frame of input, but twice the output words a frame gives
  const words = Array.from({ length: io.input.stream.wordsPerFrame }, () => 0n);
  const res = await runIcarus({
    sources, top: d.top, in: { port: 's_axis_0', bits: bits(io.input.stream.width) }, out: { port: 'm_axis_0', bits: bits(io.output.stream.width) },
    inputWords: words, expectOutputWords: 2 * io.output.stream.wordsPerFrame, workDir: dir, cwd: rtl, timeoutCycles: 500,
  });
  assert.equal(res.status, 'deadlock');
  assert.equal(res.outputWords.length, io.output.stream.wordsPerFrame);
  await assert.rejects(runIcarus({ sources: [...sources, join(dir, 'missing.v')], top: d.top, in: { port: 's_axis_0', bits: 8 }, out: { port: 'm_axis_0', bits: 8 }, inputWords: [], expectOutputWords: 1, workDir: dir, cwd: rtl, timeoutCycles: 10 }),
    (e: unknown) => e instanceof FinnError && e.code === 'E_FILE' && /missing\.v/.test(e.message));
});

test('short runs go to Icarus when it is installed, long runs and machines without it to Verilator', () => {
  assert.equal(shortRunSimulator(ICARUS_MAX_CYCLES, () => true), 'icarus');
  assert.equal(shortRunSimulator(ICARUS_MAX_CYCLES + 1, () => true), 'verilator');
  assert.equal(shortRunSimulator(100, () => false), 'verilator');
  assert.equal(shortRunSimulator(Infinity, () => true), 'verilator');
});
