/**
 * Synthesis figures (printed, not asserted; minutes of CPU): TFC-W1A1 at FINN's folding on xc7z020 (per layer,
 * estimate vs synth), TFC-W1A1 from ONNX to an iCE40 UP5K bitstream in one call, and the LFC-shaped W1A1 network at
 * LFC-max folding on xc7z045 against the paper's ~83 k LUT. Each synthesis runs in a child process with a time limit;
 * when LFC-max does not finish in time, smaller foldings follow and the largest that finished is reported.
 *
 * `npm run bench` calls synthBench(); alone: `node --import tsx bench/synth.ts [tfc|ice40|lfc]…`.
 */
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from '../src/build.ts';
import { writeModel } from '../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../src/models/synthetic.ts';
import { formatComparison } from '../src/synth/compare.ts';
import { synthesizeBuild } from '../src/synth/synth.ts';
import { modelToBitstream } from '../src/synth/flow.ts';
import { hasVerilator } from '../src/sim/tools.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SHARED = join(ROOT, '..', 'shared');
const TFC = existsSync(join(SHARED, 'models/qonnx-zoo/TFC_1W1A.onnx')) ? join(SHARED, 'models/qonnx-zoo/TFC_1W1A.onnx') : join(ROOT, 'examples/tfc_w1a1_qonnx_zoo.onnx');
const MNIST = join(SHARED, 'datasets/mnist');
const FINN_TFC_FOLDING = { Thresholding_0: { PE: 49 }, MVAU_0: { PE: 16, SIMD: 49, ram_style: 'block' }, MVAU_1: { PE: 8, SIMD: 8 }, MVAU_2: { PE: 8, SIMD: 8 }, MVAU_3: { PE: 10, SIMD: 8, ram_style: 'distributed' } };
/**
 * The paper's LFC-max and smaller foldings tried when it does not finish in time. Weights of the three big layers in
 * block RAM, as in BNN-PYNQ's LFC (FINN's "auto" would put 128-deep weight memories in LUTs: ~75 k LUT per layer by
 * FINN's own estimate, and a LUT ROM of 8,192 outputs that Yosys in WebAssembly does not finish in 20 minutes).
 */
const BIG = (pe: number, simd: number) => ({ PE: pe, SIMD: simd, ram_style: 'block' });
const LFC_FOLDINGS: readonly { label: string; cfg: Record<string, Record<string, number | string>> }[] = [
  { label: 'LFC-max (PE 128 / SIMD 64; 128 cycles/frame), weights in block RAM', cfg: { Thresholding_0: { PE: 8 }, MVAU_0: BIG(128, 64), MVAU_1: BIG(128, 64), MVAU_2: BIG(128, 64), MVAU_3: { PE: 16, SIMD: 8 } } },
  { label: 'LFC at PE 64 / SIMD 64 (256 cycles/frame), weights in block RAM', cfg: { Thresholding_0: { PE: 4 }, MVAU_0: BIG(64, 64), MVAU_1: BIG(64, 64), MVAU_2: BIG(64, 64), MVAU_3: { PE: 16, SIMD: 4 } } },
  { label: 'LFC at PE 32 / SIMD 32 (1024 cycles/frame), weights in block RAM', cfg: { Thresholding_0: { PE: 1 }, MVAU_0: BIG(32, 32), MVAU_1: BIG(32, 32), MVAU_2: BIG(32, 32), MVAU_3: { PE: 16, SIMD: 1 } } },
];
export const PAPER_LFC_MAX_LUT = 82988;
export const LFC_LIMIT_SECONDS = 20 * 60;

const opts = (model: string, out: string, extra: Partial<BuildOptions>): BuildOptions => ({
  model, out, part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, ...extra,
});

interface ChildResult { ok: boolean; seconds: number; json?: { total: Record<string, number>; table: string; seconds: number }; error?: string }

/** Synthesize a build dir in a child process (killed after `limit` seconds), streaming its progress lines. */
function synthChild(dir: string, part: string, limit: number, log: (s: string) => void, jobs = 1): Promise<ChildResult> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--worker', dir, part, String(jobs)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '', err = '';
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      for (const l of b.toString().split('\n')) if (l.startsWith('progress ')) log(`    ${l.slice(9)}`);
    });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), limit * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = (performance.now() - t0) / 1000;
      const line = out.split('\n').find((l) => l.startsWith('result '));
      if (code === 0 && line) resolve({ ok: true, seconds, json: JSON.parse(line.slice(7)) });
      else resolve({ ok: false, seconds, error: code === null ? `killed after ${limit} s` : err.split('\n').filter((l) => /error/i.test(l)).slice(0, 3).join(' ') || `exit ${code}` });
    });
  });
}

async function worker(dir: string, part: string, jobs: number): Promise<void> {
  let last = '';
  const r = await synthesizeBuild(dir, {
    part, jobs, onProgress: (p) => {
      if (p.pass !== last) { last = p.pass; process.stdout.write(`progress ${p.percent}% ${p.pass} (${p.seconds.toFixed(0)} s)\n`); }
    },
  });
  process.stdout.write(`result ${JSON.stringify({ total: r.resources.total, table: formatComparison(r.comparison), seconds: r.seconds })}\n`);
}

export async function tfcXilinx(log = console.log): Promise<void> {
  const dir = join(tmpdir(), 'finn-ts-bench-synth-tfc');
  const fold = join(tmpdir(), 'finn-ts-bench-synth-tfc-fold.json');
  writeFileSync(fold, JSON.stringify(FINN_TFC_FOLDING));
  await build(opts(TFC, dir, { foldingFile: fold, to: 'rtl' }));
  log('TFC-W1A1 at FINN\'s folding, synth_xilinx for xc7z020 (Yosys, WebAssembly):');
  const r = await synthChild(dir, 'xc7z020', 1800, log);
  if (!r.ok) { log(`  failed: ${r.error}`); return; }
  log(r.json!.table.split('\n').map((l) => `  ${l}`).join('\n'));
  log(`  total ${r.json!.total.LUT} LUT, ${r.json!.total.FF} FF, ${r.json!.total.BRAM_18K} BRAM18; Yosys ${r.json!.seconds.toFixed(0)} s (${r.seconds.toFixed(0)} s with start-up)`);
}

export async function tfcIce40(log = console.log): Promise<void> {
  if (!hasVerilator()) { log('iCE40 bitstream skipped: the flow co-simulates first and needs verilator'); return; }
  const out = join(tmpdir(), 'finn-ts-bench-ice40-tfc');
  log('TFC-W1A1, ONNX → iCE40 UP5K bitstream (fold to fit, build, co-simulate, synth_ice40, nextpnr, icepack):');
  const t0 = performance.now();
  const r = await modelToBitstream(TFC, out, {
    part: 'ice40-up5k', freqMhz: 40, verifyDataset: existsSync(MNIST) ? `mnist-idx:${MNIST}` : undefined, verifyLimit: 500,
    log: (m) => { if (m.startsWith('fold:') || m.startsWith('verify:')) log(`  ${m}`); },
  });
  const t = r.bitstream.timing;
  log(`  utilization: ${Object.entries(t.utilization).filter(([, v]) => v.used > 0).map(([k, v]) => `${k} ${v.used}/${v.available}`).join(', ')}`);
  log(`  Fmax ${t.fmax_mhz} MHz (target 40 MHz ${t.clock.met ? 'met' : 'missed'}), ${t.throughput.cycles_per_frame} cycles/frame → ${t.throughput.fps_at_fmax} frames/s; RTL verified: ${t.rtl.verified}`);
  log(`  ${r.bitstream.bitfile} (${t.bitstream.bytes} bytes); build ${r.buildSeconds.toFixed(0)} s, synth ${t.seconds.synth} s, P&R ${t.seconds.place_and_route} s, total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}

export async function lfcXilinx(log = console.log, limitSeconds = LFC_LIMIT_SECONDS, jobs = 2): Promise<void> {
  const model = join(tmpdir(), 'finn-ts-bench-synth-lfc.onnx');
  writeModel(syntheticQonnxMlp({ sizes: [784, 1024, 1024, 1024, 10], wbits: 1, abits: 1, seed: 42 }), model);
  for (const [i, f] of LFC_FOLDINGS.entries()) {
    const dir = join(tmpdir(), `finn-ts-bench-synth-lfc-${i}`);
    const fold = join(tmpdir(), `finn-ts-bench-synth-lfc-${i}.json`);
    writeFileSync(fold, JSON.stringify(f.cfg));
    await build(opts(model, dir, { part: 'xc7z045', clockNs: 5, foldingFile: fold, pad: true, to: 'rtl' }));
    log(`LFC-shaped W1A1 (784-1024-1024-1024-10), ${f.label}, synth_xilinx for xc7z045 (layers in ${jobs} threads), limit ${limitSeconds / 60} min:`);
    const r = await synthChild(dir, 'xc7z045', limitSeconds, log, jobs);
    if (r.ok) {
      log(r.json!.table.split('\n').map((l) => `  ${l}`).join('\n'));
      log(`  total ${r.json!.total.LUT} LUT (paper LFC-max ≈ ${PAPER_LFC_MAX_LUT}; goal ≤ 75000), ${r.json!.total.FF} FF, ${r.json!.total.BRAM_18K} BRAM18; Yosys ${r.json!.seconds.toFixed(0)} s`);
      return;
    }
    log(`  did not finish: ${r.error} (${r.seconds.toFixed(0)} s)`);
  }
}

export async function synthBench(log = console.log): Promise<void> {
  await tfcXilinx(log);
  await tfcIce40(log);
  await lfcXilinx(log);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] === '--worker') await worker(process.argv[3]!, process.argv[4]!, Number(process.argv[5] ?? 1));
  else {
    const which = process.argv.slice(2);
    if (which.length === 0) await synthBench();
    if (which.includes('tfc')) await tfcXilinx();
    if (which.includes('ice40')) await tfcIce40();
    if (which.includes('lfc')) await lfcXilinx();
  }
}
