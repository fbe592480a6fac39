/**
 * Residual and depthwise networks from QONNX to stitched RTL: resnet8 (basic blocks, 1×1 strided shortcuts, W2A2 with
 * a 4-bit residual path) and a MobileNet (depthwise-separable blocks, W4A4, 8-bit first layer), with FIFOs sized by
 * simulation; 50 random images through the RTL with random stalls equal to the reference executor and to the imported
 * model, measured cycles/frame within 1 % of the estimated bottleneck. A FINN-style residual hardware graph builds as
 * it is; a skip path too shallow for what the long branch holds is an error naming the full FIFO, not a hang.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { build } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { encodeModel, writeModel } from '../../src/onnx/write.ts';
import { decodeModelProto, encodeModelProto } from '../../src/onnx/proto.ts';
import { encodeNpy } from '../../src/util/npy.ts';
import { runFrames } from '../../src/runtime/eval.ts';
import { runWithContract } from '../../src/runtime/run-contract.ts';
import { argmax } from '../../src/runtime/predict.ts';
import { rng } from '../../src/util/random.ts';
import { designOf } from '../../src/backend/design.ts';
import { writeRtl } from '../../src/backend/write-rtl.ts';
import { compileStitched, runStitched } from '../../src/backend/cosim.ts';
import { verifyInputs } from '../../src/backend/verify.ts';
import { outDir } from '../../src/util/outdir.ts';
import { FinnError } from '../../src/util/errors.ts';
import { MOBILENET_SMALL, RESNET8, syntheticMobileNet, syntheticResNet } from '../../src/models/synthetic-convnets.ts';
import type { PatternModel } from '../../src/models/patterns.ts';
import { residualGraph } from '../helpers/residual-graph.ts';
import { tempDir } from '../helpers/shared.ts';
import { isParallel } from '../../src/hw/swg.ts';
import type { Graph } from '../../src/ir/graph.ts';

const N = 50;
const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

async function throughRtl(name: string, m: PatternModel, targetFps: number, maxWeightWidth = 36): Promise<{ fifos: { skip_path?: boolean; depth: number }[]; graph: Graph }> {
  const dir = tempDir(name);
  writeModel(m.graph, join(dir, 'm.onnx'));
  const r = rng(9);
  // images as the model takes them (pixels / 255: the accelerator's raw pixels are exact)
  const x = Float64Array.from({ length: N * 3072 }, () => Math.round(r.next() * 255) / 255);
  writeFileSync(join(dir, 'x.npy'), encodeNpy({ shape: [N, 3, 32, 32], data: x }, 'f8'));
  const out = join(dir, 'b');
  const res = await build({ model: join(dir, 'm.onnx'), out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth, twoPassFolding: false,
    log: () => {}, targetFps, verifyDataset: `npy:${join(dir, 'x.npy')}`, verifyLimit: N, stalls: true });
  const v = json(out, 'report/verification.json');
  for (const st of v.stages) assert.equal(st.mismatches, 0, `${name} ${st.stage}: ${JSON.stringify(st.first_divergence)}`);
  const perf = json(out, 'report/rtlsim_performance.json');
  assert.ok(Math.abs(perf.cycles_per_frame - perf.estimated_max_cycles) / perf.estimated_max_cycles <= 0.01, `${name}: measured ${perf.cycles_per_frame} vs estimate ${perf.estimated_max_cycles}`);
  const fifo = json(out, 'report/fifo_sizing.json');
  assert.ok(fifo.total_bits_sized < fifo.total_bits_deep, `${fifo.total_bits_sized} sized vs ${fifo.total_bits_deep} deep`);
  // the imported model's own classes on the same images
  const mine = await runWithContract(res.graph, { shape: [N, 3, 32, 32], data: x });
  const logits = await runFrames(readModel(join(dir, 'm.onnx')), { shape: [N, 3, 32, 32], data: x });
  for (let i = 0; i < N; i++) assert.equal(mine.data[i], argmax(logits.data.subarray(i * 10, i * 10 + 10)), `${name}: image ${i}`);
  return { ...fifo, graph: res.graph };
}

test('resnet8 (W2A2, 4-bit residual path, 1×1 strided shortcuts): QONNX → sized FIFOs → RTL, 50 images bit-exact with stalls, skip paths reported', async () => {
  const m = syntheticResNet({ ...RESNET8, seed: 3, samples: 8 });
  const kinds = new Set<string>();
  const fifo = await throughRtl('resnet8', m, 20000);
  for (const f of fifo.fifos) if (f.skip_path) kinds.add('skip');
  assert.ok(kinds.has('skip'), 'the identity shortcuts are reported as skip paths');
});

test('MobileNet (4 depthwise-separable blocks, W4A4, 8-bit first layer): QONNX → VVAU + depthwise windows → RTL, 50 images bit-exact with stalls', async () => {
  await throughRtl('mobilenet', syntheticMobileNet({ ...MOBILENET_SMALL, seed: 4, samples: 8 }), 20000);
});

test('MobileNet at 50,000 frames/s: parallel windows (stem and depthwise, VVAU PE = channels with SIMD > 1) → RTL, 50 images bit-exact with stalls', async () => {
  const { graph } = await throughRtl('mobilenet-par', syntheticMobileNet({ ...MOBILENET_SMALL, seed: 5, samples: 8 }), 50000, 4096);
  const ps = graph.nodes.flatMap((n) => (n.op.kind === 'hw.ConvolutionInputGenerator' && isParallel(n.op.p) ? [n.op.p] : []));
  assert.ok(ps.some((p) => !p.depthwise), 'the stem convolution reads a parallel window');
  assert.ok(ps.some((p) => p.depthwise), 'a depthwise convolution reads a parallel window');
  assert.ok(graph.nodes.some((n) => n.op.kind === 'hw.VVAU' && n.op.p.pe === n.op.p.channels && n.op.p.simd > 1), 'a VVAU at PE = channels, SIMD > 1');
});

/** A FINN hardware graph as FINN writes it: op types with _hls / _Batch. */
function asFinn(bytes: Uint8Array): Uint8Array {
  const m = decodeModelProto(bytes);
  for (const n of m.graph!.node ?? []) n.op_type = n.op_type === 'DuplicateStreams' || n.op_type === 'AddStreams' || n.op_type === 'GlobalAccPool' ? `${n.op_type}_Batch` : `${n.op_type}_hls`;
  return encodeModelProto(m);
}

test('a FINN-style residual hardware graph (DuplicateStreams → [FMPadding → window → VVAU] ∥ skip → AddStreams, pooling fork/join) builds as it is and verifies', async () => {
  const dir = tempDir('finn-residual');
  writeFileSync(join(dir, 'g.onnx'), asFinn(encodeModel(residualGraph())));
  const out = join(dir, 'b');
  const res = await build({ model: join(dir, 'g.onnx'), out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, verifyLimit: 24, stalls: true });
  assert.ok(res.graph.nodes.some((n) => n.op.kind === 'hw.DuplicateStreams') && res.graph.nodes.some((n) => n.op.kind === 'hw.AddStreams'));
  for (const st of json(out, 'report/verification.json').stages) assert.equal(st.mismatches, 0, st.stage);
  assert.ok(json(out, 'report/fifo_sizing.json').fifos.some((f: { skip_path?: boolean }) => f.skip_path));
});

test('a skip path too shallow for what the long branch holds: the co-simulation stops with an error naming the full FIFO', async () => {
  const g = residualGraph();
  const d0 = designOf(g);
  // every FIFO 2 deep: the skip branch of the residual block cannot hold the window's line buffer worth of words
  const d = designOf(g, d0.edges.map(() => 2));
  const out = outDir(tempDir('deadlock'));
  const files = writeRtl(d, out);
  const s = { cacheDir: join(tmpdir(), 'finn-ts-verilator'), seed: 1, stallProb: 0, log: () => {} };
  const m = await compileStitched(d, files, s);
  await assert.rejects(runStitched(m, d, files, verifyInputs(g, undefined, 4, 3).frames, 0, 1), (e: unknown) => {
    assert.ok(e instanceof FinnError && e.code === 'E_SIM', String(e));
    assert.match(e.message, /stopped \(deadlock\); tokens stopped at: StreamingFIFO_\d+ \(DuplicateStreams_0 → .*\) full at 2 words/);
    return true;
  });
});
