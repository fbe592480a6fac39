/**
 * Output contracts at full size (bench, needs ../shared): `--output scores` on the zoo TFC models against the imported
 * models' logits on all 10,000 MNIST test images (max abs and relative difference, top-1 agreement), and the
 * BNN-PYNQ-style class-weighted network (bipolar last layer × [1..10] → TopK) through the RTL on all 10,000 images,
 * and the zoo TFC models at FINN's folding through the stitched RTL on all 10,000 images (the test suite runs 1,000).
 */
import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from '../src/build.ts';
import { readModel } from '../src/onnx/read.ts';
import { writeModel } from '../src/onnx/write.ts';
import { runFrames } from '../src/runtime/eval.ts';
import { runWithContract } from '../src/runtime/run-contract.ts';
import { loadMnistIdx } from '../src/util/idx.ts';
import { argmax } from '../src/runtime/predict.ts';
import { classWeightedBnn } from '../src/models/patterns.ts';

const SHARED = fileURLToPath(new URL('../../shared/', import.meta.url));
const MNIST = join(SHARED, 'datasets/mnist');
const N = 10000;

const base = (model: string, out: string, extra: Partial<BuildOptions>): BuildOptions => ({
  model, out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, targetFps: 1e6, ...extra,
});

function mnistUnit(): Float64Array {
  const d = loadMnistIdx(MNIST, 'test');
  return Float64Array.from(d.images.subarray(0, N * 784), (v) => v / 255);
}

async function scores(name: string, x: Float64Array): Promise<void> {
  const model = join(SHARED, `models/qonnx-zoo/${name}.onnx`);
  const r = await build(base(model, mkdtempSync(join(tmpdir(), 'bench-scores-')), { output: 'scores', to: 'estimate' }));
  const got = await runWithContract(r.graph, { shape: [N, 1, 28, 28], data: x });
  const want = await runFrames(readModel(model), { shape: [N, 1, 28, 28], data: x });
  let maxAbs = 0, maxRel = 0, top1 = 0;
  for (let i = 0; i < N; i++) {
    const a = got.data.subarray(i * 10, i * 10 + 10), b = want.data.subarray(i * 10, i * 10 + 10);
    for (let j = 0; j < 10; j++) {
      const d = Math.abs(a[j]! - b[j]!);
      maxAbs = Math.max(maxAbs, d);
      maxRel = Math.max(maxRel, d / Math.max(1e-30, Math.abs(b[j]!)));
    }
    if (argmax(a) === argmax(b)) top1++;
  }
  console.log(`--output scores, zoo ${name}, ${N} MNIST test images: max abs diff ${maxAbs.toExponential(2)}, max rel diff ${maxRel.toExponential(2)}, same top-1 ${top1}/${N}`);
}

async function classWeighted(x: Float64Array): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-classweighted-'));
  const m = classWeightedBnn();
  writeModel(m.graph, join(dir, 'm.onnx'));
  const t0 = performance.now();
  const r = await build(base(join(dir, 'm.onnx'), join(dir, 'b'), { verifyDataset: `mnist-idx:${MNIST}`, verifyLimit: N, stalls: true, fifoSizing: false }));
  const v = JSON.parse(readFileSync(join(dir, 'b/report/verification.json'), 'utf8')) as { stages: { stage: string; images: number; mismatches: number }[] };
  const mine = await runWithContract(r.graph, { shape: [N, 1, 28, 28], data: x });
  const theirs = await runFrames(readModel(join(dir, 'm.onnx')), { shape: [N, 1, 28, 28], data: x });
  let agree = 0;
  for (let i = 0; i < N; i++) if (mine.data[i] === theirs.data[i]) agree++;
  const stages = v.stages.map((s) => `${s.stage} ${s.images} images ${s.mismatches} mismatches`).join('; ');
  console.log(`class-weighted BNN (bipolar × [1..10] → TopK): ${stages}; host top-1 = imported model on ${agree}/${N} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

/** The zoo TFC models at FINN's folding: all 10,000 MNIST test images through the stitched RTL with random stalls. */
async function tfcRtl(name: string): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-tfc10k-'));
  const fold = { Thresholding_rtl_0: { PE: 49 }, MVAU_hls_0: { PE: 16, SIMD: 49, ram_style: 'block' }, MVAU_hls_1: { PE: 8, SIMD: 8 },
    MVAU_hls_2: { PE: 8, SIMD: 8 }, MVAU_hls_3: { PE: 10, SIMD: 8, ram_style: 'distributed' }, LabelSelect_hls_0: { PE: 1 } };
  writeFileSync(join(dir, 'folding.json'), JSON.stringify(fold));
  const t0 = performance.now();
  await build(base(join(SHARED, `models/qonnx-zoo/${name}.onnx`), join(dir, 'b'), { foldingFile: join(dir, 'folding.json'), targetFps: undefined, verifyDataset: `mnist-idx:${MNIST}`, verifyLimit: N, stalls: true }));
  const v = JSON.parse(readFileSync(join(dir, 'b/report/verification.json'), 'utf8')) as { stages: { stage: string; images: number; mismatches: number; accuracy?: number }[] };
  const st = v.stages.find((s) => s.stage === 'stitched_rtl')!;
  console.log(`zoo ${name} at FINN's folding, stitched RTL with stalls: ${st.images} images, ${st.mismatches} mismatches, accuracy ${st.accuracy} (${((performance.now() - t0) / 1000).toFixed(1)} s)`);
}

export async function contractsBench(): Promise<void> {
  if (!existsSync(MNIST)) { console.log('contracts bench: ../shared/datasets/mnist not found, skipped'); return; }
  const x = mnistUnit();
  await scores('TFC_1W1A', x);
  await scores('TFC_2W2A', x);
  await classWeighted(x);
  await tfcRtl('TFC_1W1A');
  await tfcRtl('TFC_2W2A');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await contractsBench();
