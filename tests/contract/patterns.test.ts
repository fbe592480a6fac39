/**
 * The MLP patterns FINN/hls4ml users bring, each compiled to RTL and co-simulated on 1,000 random inputs from the
 * model's input domain with random stalls: 0 mismatches against the reference executor, and every RTL prediction
 * (class or decision bit) equal to the imported model's own on the same float inputs (`finn exec model.onnx`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { build, type BuildOptions } from '../../src/build.ts';
import { readModel } from '../../src/onnx/read.ts';
import { encodeModel } from '../../src/onnx/write.ts';
import { decodeModelProto, encodeModelProto } from '../../src/onnx/proto.ts';
import { encodeNpy } from '../../src/util/npy.ts';
import { runBatch } from '../../src/runtime/eval.ts';
import { predictor } from '../../src/runtime/predict.ts';
import { loadDataset } from '../../src/runtime/datasets.ts';
import { evalRtl } from '../../src/backend/rtl-eval.ts';
import { contractOf, hostInput } from '../../src/runtime/contract.ts';
import { runWithContract } from '../../src/runtime/run-contract.ts';
import { modelBuilder, quantNode, tensorOf } from '../../src/models/builder.ts';
import { rng } from '../../src/util/random.ts';
import type { Graph } from '../../src/ir/graph.ts';
import { finnHwMlp, jetMlp, kwsMlp, sampleInput, unswMlp, type PatternModel } from '../../src/models/patterns.ts';
import { tempDir } from '../helpers/shared.ts';

const N = 1000;
const SIM = { cacheDir: join(tmpdir(), 'finn-ts-verilator'), seed: 1, stallProb: 0, log: () => {} };

/** A FINN hardware graph as FINN writes it: op types MVAU_hls, node names MVAU_hls_<i>. */
function asFinnHls(bytes: Uint8Array): Uint8Array {
  const m = decodeModelProto(bytes);
  m.graph!.node!.forEach((n, i) => { n.op_type = `${n.op_type}_hls`; n.name = `MVAU_hls_${i}`; });
  return encodeModelProto(m);
}

/** The output's batch dimension as a symbolic dim, as exporters write it. */
function symbolicBatch(bytes: Uint8Array): Uint8Array {
  const m = decodeModelProto(bytes);
  for (const v of [...(m.graph!.input ?? []), ...(m.graph!.output ?? [])]) {
    const d = v.type?.tensor_type?.shape?.dim?.[0];
    if (d) { delete d.dim_value; d.dim_param = 'batch'; }
  }
  return encodeModelProto(m);
}

interface Case { name: string; model: PatternModel; bytes?: (b: Uint8Array) => Uint8Array; folding?: Record<string, unknown>; opts?: Partial<BuildOptions> }

async function checkPattern(c: Case): Promise<{ dir: string; graph: Graph }> {
  const dir = tempDir(`pattern-${c.name}`);
  const modelPath = join(dir, 'model.onnx');
  writeFileSync(modelPath, (c.bytes ?? ((b) => b))(encodeModel(c.model.graph)));
  const imported = readModel(modelPath);
  const shape = imported.tensors.get(imported.inputs[0]!)!.shape;
  const per = shape.reduce((a, b) => a * b, 1);
  const r = rng(77);
  const x = new Float64Array(N * per);
  for (let i = 0; i < N; i++) x.set(sampleInput(r, c.model.domain, per), i * per);
  writeFileSync(join(dir, 'x.npy'), encodeNpy({ shape: [N, ...shape.slice(1)], data: x }, 'f8'));
  if (c.folding) writeFileSync(join(dir, 'folding.json'), JSON.stringify(c.folding));
  const out = join(dir, 'build');
  const res = await build({
    model: modelPath, out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {},
    verifyDataset: `npy:${join(dir, 'x.npy')}`, verifyLimit: N, stalls: true, fifoSizing: false,
    ...(c.folding ? { foldingFile: join(dir, 'folding.json') } : { targetFps: 200000 }), ...c.opts,
  });
  const v = JSON.parse(readFileSync(join(out, 'report/verification.json'), 'utf8'));
  for (const st of v.stages) assert.equal(st.mismatches, 0, `${c.name}: ${st.stage}: ${JSON.stringify(st.first_divergence)}`);
  assert.equal(v.stages.find((s: { stage: string }) => s.stage === 'stitched_rtl').images, N);
  // the imported model on the float inputs vs the RTL on the same inputs (host side per the contract)
  const predictImported = predictor(imported);
  const y = runBatch(imported, { shape: [N, ...shape.slice(1)], data: x });
  const perOut = y.data.length / N;
  const rtl = await evalRtl(out, res.graph, loadDataset(`npy:${join(dir, 'x.npy')}`), SIM);
  let differ = 0;
  for (let i = 0; i < N; i++) if (predictImported(y.data.subarray(i * perOut, (i + 1) * perOut)) !== rtl.predictions[i]) differ++;
  assert.equal(differ, 0, `${c.name}: ${differ} of ${N} RTL predictions differ from the imported model's`);
  return { dir: out, graph: res.graph };
}

test('keyword spotting (W3A3, float [1,1,10,49] features → INT8 on the host): FINN folding gives 392/256/256/384 cycles, 392 measured', async () => {
  const { dir, graph } = await checkPattern({
    name: 'kws', model: kwsMlp(),
    folding: { Defaults: {}, MVAU_0: { PE: 32, SIMD: 10 }, MVAU_1: { PE: 32, SIMD: 8 }, MVAU_2: { PE: 32, SIMD: 8 }, MVAU_3: { PE: 1, SIMD: 8 } },
  });
  const cycles = JSON.parse(readFileSync(join(dir, 'report/estimate_layer_cycles.json'), 'utf8'));
  assert.deepEqual([cycles.MVAU_0, cycles.MVAU_1, cycles.MVAU_2, cycles.MVAU_3], [392, 256, 256, 384]);
  const perf = JSON.parse(readFileSync(join(dir, 'report/rtlsim_performance.json'), 'utf8'));
  assert.equal(perf.cycles_per_frame, 392);
  const c = contractOf(graph)!;
  assert.equal(c.input.kind, 'features');
  assert.equal(c.input.quantizer, 'host');
  assert.equal(c.input.dtype, 'INT8');
  assert.deepEqual(c.input.quant?.scale, [0.83]);
  assert.equal(c.output?.kind, 'top1');
  assert.ok(!graph.nodes.some((n) => n.op.kind === 'hw.Thresholding'), 'the input quantizer runs on the host');
  assert.deepEqual(JSON.parse(readFileSync(join(dir, 'io_contract.json'), 'utf8')), c);
});

test('intrusion detection (W2A2, bipolar [1,600], Gemm transB=1 with Quant weights and biases, BipolarQuant out, symbolic batch): a decision bit', async () => {
  const { graph } = await checkPattern({ name: 'unsw', model: unswMlp(), bytes: symbolicBatch });
  const c = contractOf(graph)!;
  assert.equal(c.input.kind, 'integer');
  assert.equal(c.output?.kind, 'decision');
  const last = graph.nodes.at(-1)!;
  assert.equal(last.op.kind, 'hw.MVAU');
  assert.equal(graph.tensors.get(graph.outputs[0]!)!.dtype.kind, 'bipolar');
});

test('jet tagging (QKeras: Quant input, MatMul + quantized bias, Softmax over 5): Softmax removed, per-class bias kept exactly', async () => {
  const { graph } = await checkPattern({ name: 'jet', model: jetMlp() });
  const c = contractOf(graph)!;
  assert.equal(c.output?.kind, 'top1');
  assert.equal(c.output?.removed, 'Softmax');
  assert.ok(graph.nodes.some((n) => n.op.kind === 'hw.ChannelwiseOp'), 'the per-class bias is a ChannelwiseOp in front of LabelSelect');
});

test('a FINN hardware graph (MVAU_hls, BIPOLAR in, INT2 weights, 600-64-64-64-1) builds with the PE/SIMD it carries and no pre-processing', async () => {
  const folding = [[16, 30], [16, 16], [16, 16], [1, 8]] as const;
  const { dir, graph } = await checkPattern({ name: 'finn-hw', model: finnHwMlp(4, folding), bytes: asFinnHls, opts: { targetFps: undefined } });
  assert.deepEqual(graph.nodes.map((n) => n.op.kind), ['hw.MVAU', 'hw.MVAU', 'hw.MVAU', 'hw.MVAU']);
  assert.deepEqual(graph.nodes.map((n) => { const p = (n.op as unknown as { p: { pe: number; simd: number } }).p; return [p.pe, p.simd]; }), folding.map((f) => [...f]));
  assert.equal(contractOf(graph)!.input.kind, 'hardware');
  const hw = JSON.parse(readFileSync(join(dir, 'final_hw_config.json'), 'utf8'));
  assert.deepEqual(hw.MVAU_0, { PE: 16, SIMD: 30, ram_style: 'auto' });
});

test('--input-quant accel on float features (jet tagging): fixed-point numbers in, the INT8 input quantizer as a Thresholding layer; its transitions lie on the chosen grid, so every prediction equals the model\'s', async () => {
  const { graph } = await checkPattern({ name: 'jet-accel', model: jetMlp(), opts: { inputQuant: 'accel' } });
  const c = contractOf(graph)!;
  assert.equal(c.input.quantizer, 'accelerator');
  // Quant INT8 at scale 2^-4 (ROUND): transitions at odd multiples of 2^-5 in [-8, 8] → on the even codes of 6 fraction bits
  assert.deepEqual(c.input.fixed, { bits: 11, intBits: 5, signed: true, transitionsOnGrid: true, chosen: 'from the quantizer' });
  assert.equal(c.input.dtype, 'INT11');
  assert.deepEqual(c.input.quant, { scale: [2 ** -6], zeroPoint: 0, bits: 11, signed: true, narrow: false, rounding: 'ODD' });
  assert.equal(graph.nodes[0]!.op.kind, 'hw.Thresholding');
});

test('--input-quant accel on keyword-spotting features (INT8 quantizer at scale 0.83, not on any power-of-two grid): 25-bit fixed point, 2^-16 of a step, no prediction differs on 1,000 inputs', async () => {
  const { graph } = await checkPattern({ name: 'kws-accel', model: kwsMlp(), opts: { inputQuant: 'accel' } });
  const c = contractOf(graph)!;
  assert.deepEqual(c.input.fixed, { bits: 25, intBits: 8, signed: true, transitionsOnGrid: false, chosen: 'from the quantizer' });
  assert.equal(graph.nodes[0]!.op.kind, 'hw.Thresholding');
});

test('--input-fixed: the user\'s format is used (and said to be on the grid or not); misuse and bad formats are typed errors', async () => {
  const dir = tempDir('input-fixed');
  const path = join(dir, 'jet.onnx');
  writeFileSync(path, encodeModel(jetMlp().graph));
  const base = { model: path, part: 'xc7z020', clockNs: 10, preprocess: 'auto' as const, maxWeightWidth: 36, twoPassFolding: false, log: () => {}, targetFps: 1e5, to: 'pre-post' as const };
  const r = await build({ ...base, out: join(dir, 'a'), inputQuant: 'accel', inputFixed: '12,6' });
  assert.deepEqual(contractOf(r.graph)!.input.fixed, { bits: 12, intBits: 6, signed: true, transitionsOnGrid: true, chosen: '--input-fixed' });
  const coarse = await build({ ...base, out: join(dir, 'b'), inputFixed: '10,5' });
  assert.equal(contractOf(coarse.graph)!.input.fixed?.transitionsOnGrid, false, 'the even codes of 5 fraction bits miss the odd multiples of 2^-5');
  const code = (c: string) => (e: unknown) => (e as { code?: string }).code === c;
  await assert.rejects(build({ ...base, out: join(dir, 'c'), inputQuant: 'host', inputFixed: '12,6' }), code('E_USAGE'));
  await assert.rejects(build({ ...base, out: join(dir, 'd'), inputKind: 'image', inputFixed: '12,6' }), code('E_USAGE'));
  for (const bad of ['12', '40,8', 'x12,6', '8,9']) await assert.rejects(build({ ...base, out: join(dir, 'e'), inputFixed: bad }), code('E_USAGE'), bad);
});

test('rounding to odd makes the accelerator\'s input quantizer exact at round-half-even ties: inputs on, just above and just below every transition quantize as in the model (hardware graph and RTL)', async () => {
  const dir = tempDir('input-ties');
  const b = modelBuilder();
  const input = b.input('x', [1, 8]);
  const q = quantNode(b, input, [1, 8], { bits: 4, signed: true, narrow: false, scale: tensorOf([], [0.25]), tag: 'in_q' });
  const eye = Array.from({ length: 64 }, (_, i) => (i % 9 === 0 ? 1 : 0));
  const w = quantNode(b, b.constant('w', tensorOf([8, 8], eye)), [8, 8], { bits: 2, signed: true, narrow: false, scale: tensorOf([], [1]), tag: 'w_q' });
  const y = b.node({ kind: 'MatMul' }, [q, w], [1, 8]);
  const path = join(dir, 'ties.onnx');
  writeFileSync(path, encodeModel(b.graph('ties', [input], [y])));
  // every transition (k + 0.5)·0.25 and the clamp ends, exactly and 2^-30 either side, in random order across 8 lanes
  const pts: number[] = [];
  for (let k = -10; k <= 9; k++) for (const d of [0, 2 ** -30, -(2 ** -30)]) pts.push((k + 0.5) * 0.25 + d);
  const r = rng(3);
  const x = Float64Array.from({ length: 8 * 60 }, (_, i) => pts[(i * 7 + Math.floor(r.next() * pts.length)) % pts.length]!);
  writeFileSync(join(dir, 'x.npy'), encodeNpy({ shape: [60, 1, 8], data: x }, 'f8'));
  const res = await build({
    model: path, out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {},
    targetFps: 1e6, inputQuant: 'accel', output: 'scores', verifyDataset: `npy:${join(dir, 'x.npy')}`, stalls: true, fifoSizing: false,
  });
  const v = JSON.parse(readFileSync(join(dir, 'b/report/verification.json'), 'utf8'));
  for (const st of v.stages) assert.equal(st.mismatches, 0, st.stage);
  assert.equal(contractOf(res.graph)!.input.fixed?.transitionsOnGrid, true);
  const want = runBatch(readModel(path), { shape: [60, 8], data: x }).data;
  const got = (await runWithContract(res.graph, { shape: [60, 1, 8], data: x })).data;
  assert.deepEqual(Array.from(got), Array.from(want));
  // rounding down instead would send the inputs just above a transition as the transition's own code
  const floorQ = { ...contractOf(res.graph)!.input.quant!, rounding: 'FLOOR' as const };
  const lower = Array.from(x).filter((xi) => hostInput({ ...contractOf(res.graph)!.input, quant: floorQ }, [xi])[0] !== hostInput(contractOf(res.graph)!.input, [xi])[0]);
  assert.ok(lower.length > 0, 'the crafted inputs include values a floor would misplace');
});
