/**
 * The convolution-path cores finn_fmpad, finn_swg and finn_maxpool: lint (Verilator -Wall, Icarus), parameter checks,
 * and randomized co-simulation against the hardware layers' execute() — random and CNV-sized configurations compiled
 * into one Verilator model, run over several frames with seeded random stalls on both sides, then without stalls to
 * measure steady-state cycles per frame: FMPadding and StreamingMaxPool exactly their cycles(), the sliding window
 * generator at most FINN's estimate (cycles()) and at most max(input, output words) + FINN's buffer size, in the
 * standard and the depthwise element order.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIPOLAR, int, TERNARY, uint } from '../../src/ir/datatype.ts';
import { coreFiles, type CoreName } from '../../src/rtl/cores.ts';
import { lintVerilog } from '../../src/sim/lint.ts';
import { finnChannel } from '../../src/sim/testbench.ts';
import {
  compileModel, frameIntervals, runModel, type ChannelResult, type CompiledModel, type RunOptions, type RunResult,
} from '../../src/sim/verilator.ts';
import { FinnError } from '../../src/util/errors.ts';
import {
  fmPadCase, maxPoolCase, randomFmPadShape, randomMaxPoolShape, randomSwgShape, Rng, swgCase, type ConvCase, type SwgShape,
} from './conv-cases.ts';
import { compileCases, runCases } from './harness.ts';

const SEED = Number(process.env.FINN_RTL_SEED ?? 9001);
const WORK = join(tmpdir(), 'finn-ts-rtl-tests');
const FRAMES = 4;

type Params = Record<string, number | string>;

const LINT: [CoreName, Params][] = [
  ['finn_fmpad', {}],
  ['finn_fmpad', { IFM_H: 32, IFM_W: 32, C: 3, SIMD: 3, BITS: 8, PAD_VALUE: 0 }],
  ['finn_fmpad', { IFM_H: 14, IFM_W: 14, PAD_T: 0, PAD_L: 0, PAD_B: 0, PAD_R: 0, C: 64, SIMD: 32, BITS: 1, PAD_VALUE: 1 }],
  ['finn_fmpad', { IFM_H: 1, IFM_W: 1, PAD_T: 3, PAD_L: 0, PAD_B: 2, PAD_R: 5, BITS: 40, PAD_VALUE: 5 }],
  ['finn_fmpad', { BITS: 31, PAD_VALUE: 2147483647, C: 6, SIMD: 2 }],
  ['finn_swg', {}],
  ['finn_swg', { IFM_H: 32, IFM_W: 32, C: 3, SIMD: 3, BITS: 8, OFM_H: 30, OFM_W: 30, RAM_STYLE: 'block' }],
  ['finn_swg', { IFM_H: 14, IFM_W: 14, C: 64, SIMD: 32, OFM_H: 12, OFM_W: 12, RAM_STYLE: 'distributed' }],
  ['finn_swg', { IFM_H: 3, IFM_W: 3, C: 256, SIMD: 32, OFM_H: 1, OFM_W: 1, RAM_STYLE: 'ultra' }],
  ['finn_swg', { IFM_H: 1, IFM_W: 1, K_H: 1, K_W: 1, OFM_H: 1, OFM_W: 1 }],
  ['finn_swg', { IFM_H: 9, IFM_W: 7, C: 4, SIMD: 2, BITS: 3, K_H: 2, K_W: 3, S_H: 3, S_W: 2, OFM_H: 3, OFM_W: 3 }],
  ['finn_swg', { IFM_H: 6, IFM_W: 1, C: 4, SIMD: 1, K_H: 1, K_W: 1, OFM_H: 6, OFM_W: 1 }],
  ['finn_swg', { DEPTHWISE: 1 }],
  ['finn_swg', { DEPTHWISE: 1, IFM_H: 9, IFM_W: 7, C: 8, SIMD: 2, BITS: 4, K_H: 2, K_W: 3, S_H: 3, S_W: 2, OFM_H: 3, OFM_W: 3 }],
  ['finn_swg', { DEPTHWISE: 1, IFM_H: 1, IFM_W: 1, K_H: 1, K_W: 1, OFM_H: 1, OFM_W: 1 }],
  ['finn_swg', { DEPTHWISE: 1, IFM_H: 3, IFM_W: 3, C: 256, SIMD: 32, OFM_H: 1, OFM_W: 1, RAM_STYLE: 'block' }],
  ['finn_swg_par', {}],
  ['finn_swg_par', { IFM_H: 230, IFM_W: 230, C: 3, BITS: 8, K_H: 7, K_W: 7, S_H: 2, S_W: 2, OFM_H: 112, OFM_W: 112, RAM_STYLE: 'block' }],
  ['finn_swg_par', { IFM_H: 9, IFM_W: 7, C: 4, BITS: 3, K_H: 2, K_W: 3, S_H: 3, S_W: 2, OFM_H: 3, OFM_W: 3, RAM_STYLE: 'distributed' }],
  ['finn_swg_par', { IFM_H: 5, IFM_W: 3, K_H: 3, K_W: 3, OFM_H: 3, OFM_W: 1, RAM_STYLE: 'ultra' }],
  ['finn_swg_par', { IFM_H: 1, IFM_W: 1, K_H: 1, K_W: 1, OFM_H: 1, OFM_W: 1 }],
  ['finn_maxpool', {}],
  ['finn_maxpool', { IFM_H: 28, IFM_W: 28, C: 64, PE: 32 }],
  ['finn_maxpool', { IFM_H: 5, IFM_W: 7, C: 6, PE: 3, BITS: 4, SIGNED: 1, K_H: 3, K_W: 1 }],
  ['finn_maxpool', { IFM_H: 1, IFM_W: 1, K_H: 1, K_W: 1, BITS: 8 }],
];

// illegal parameter sets (all elaborate; the initial block must reject them)
const BAD: [CoreName, Params, RegExp][] = [
  ['finn_fmpad', { C: 6, SIMD: 4 }, /finn_fmpad: need .* C % SIMD == 0/],
  ['finn_fmpad', { PAD_L: -1 }, /finn_fmpad: padding amounts must be >= 0/],
  ['finn_fmpad', { BITS: 2, PAD_VALUE: 4 }, /finn_fmpad: PAD_VALUE \(4\) must be a 2-bit pattern/],
  ['finn_swg', { C: 6, SIMD: 4 }, /finn_swg: need .* C % SIMD == 0/],
  ['finn_swg', { IFM_H: 5, IFM_W: 5, OFM_H: 3, OFM_W: 2 }, /finn_swg: OFM 3x2, expected \(IFM-K\)\/S\+1 = 3x3/],
  ['finn_swg', { IFM_H: 2, K_H: 3, OFM_H: 1 }, /finn_swg: need 1 <= K <= IFM and S >= 1/],
  ['finn_swg', { S_W: 0 }, /finn_swg: need 1 <= K <= IFM and S >= 1/],
  ['finn_swg', { DEPTHWISE: 2 }, /finn_swg: DEPTHWISE must be 0 or 1/],
  ['finn_swg_par', { IFM_H: 5, IFM_W: 5, OFM_H: 3, OFM_W: 2 }, /finn_swg_par: OFM 3x2, expected \(IFM-K\)\/S\+1 = 3x3/],
  ['finn_swg_par', { IFM_W: 2, K_W: 3, OFM_W: 1 }, /finn_swg_par: need 1 <= K <= IFM and S >= 1/],
  ['finn_maxpool', { C: 6, PE: 4 }, /finn_maxpool: need C % PE == 0/],
  ['finn_maxpool', { IFM_W: 1, K_W: 2 }, /finn_maxpool: need 1 <= K_H <= IFM_H and 1 <= K_W <= IFM_W/],
];

const ivParams = (core: string, ps: Params): string[] =>
  Object.entries(ps).map(([k, v]) => `-P${core}.${k}=${typeof v === 'number' ? v : `"${v}"`}`);

describe('conv-path cores: verilator --lint-only -Wall and iverilog -g2001', () => {
  for (const [core, params] of LINT) {
    test(`lint ${core} ${JSON.stringify(params)}`, async () => {
      const r = await lintVerilog(coreFiles(core), core, { params });
      assert.deepEqual(r.diagnostics, [], r.output);
      assert.ok(r.clean, r.output);
    });
  }
  test('iverilog elaborates every lint parameter set without messages', () => {
    const out = join(tmpdir(), `finn-ts-iverilog-conv-${process.pid}.vvp`);
    for (const [core, params] of LINT) {
      const r = spawnSync('iverilog', ['-g2001', '-Wall', '-o', out, '-s', core, ...ivParams(core, params), ...coreFiles(core)],
        { encoding: 'utf8' });
      assert.equal(r.status, 0, `${core} ${JSON.stringify(params)}: ${r.stderr}`);
      assert.equal(r.stderr.trim(), '', `${core} ${JSON.stringify(params)}: ${r.stderr}`);
    }
  });
});

describe('conv-path cores: illegal parameters stop the simulation', () => {
  test('iverilog: every illegal set prints its ERROR and finishes', () => {
    const out = join(tmpdir(), `finn-ts-iverilog-conv-bad-${process.pid}.vvp`);
    for (const [core, params, msg] of BAD) {
      const c = spawnSync('iverilog', ['-g2001', '-o', out, '-s', core, ...ivParams(core, params), ...coreFiles(core)],
        { encoding: 'utf8' });
      assert.equal(c.status, 0, c.stderr);
      const r = spawnSync('vvp', ['-n', out], { encoding: 'utf8' });
      assert.match(r.stdout, /ERROR: /, `${core} ${JSON.stringify(params)}: ${r.stdout}`);
      assert.match(r.stdout, msg, `${core} ${JSON.stringify(params)}`);
    }
  });
  // Verilator: one illegal set per core, each its own (unoptimized) model, compiled concurrently
  const vBad = (['finn_fmpad', 'finn_swg', 'finn_swg_par', 'finn_maxpool'] as const).map((core) => BAD.find(([c]) => c === core)!);
  test('verilator: one illegal set per core ends the run with $finish', async () => {
    await Promise.all(vBad.map(async ([core, params, msg]) => {
      const m = await compileModel({ sources: coreFiles(core), top: core, workDir: WORK, quickBuild: true,
        channels: [finnChannel(8, 8)], extraArgs: Object.entries(params).map(([k, v]) => `-G${k}=${v}`) });
      await assert.rejects(runModel(m, { inputWords: [0n], expectOutputWords: 1 }), (e: unknown) => {
        assert.ok(e instanceof FinnError && e.code === 'E_SIM', String(e));
        assert.match(e.message, /\$finish/);
        assert.match(e.message, msg);
        return true;
      });
    }));
  });
});

/** CNV (BNN-PYNQ) layer shapes at their folding, plus odd shapes around them. */
function fixedCases(r: Rng): ConvCase[] {
  const sw = (n: string, ifm: number, c: number, simd: number, dt = BIPOLAR): ConvCase =>
    swgCase(r, { ifm: [ifm, ifm], c, simd, k: [3, 3], s: [1, 1], dtype: dt, ramStyle: 'auto' }, n, FRAMES);
  return [
    sw('cnv_swg0_32x32x3', 32, 3, 3, uint(8)),
    sw('cnv_swg1_30x30x64', 30, 64, 32),
    sw('cnv_swg2_14x14x64', 14, 64, 32),
    sw('cnv_swg3_12x12x128', 12, 128, 32),
    sw('cnv_swg4_5x5x128', 5, 128, 32),
    sw('cnv_swg5_3x3x256', 3, 256, 32),
    sw('swg_14x14x64_simd8', 14, 64, 8),
    swgCase(r, { ifm: [11, 9], c: 6, simd: 2, k: [3, 2], s: [2, 3], dtype: int(4) }, 'swg_stride_2x3', FRAMES),
    swgCase(r, { ifm: [8, 8], c: 4, simd: 4, k: [2, 2], s: [2, 2], dtype: uint(2) }, 'swg_k2_s2', FRAMES),
    swgCase(r, { ifm: [7, 1], c: 4, simd: 1, k: [1, 1], s: [1, 1], dtype: int(3) }, 'swg_column_k1', FRAMES),
    swgCase(r, { ifm: [9, 9], c: 3, simd: 1, k: [1, 1], s: [2, 2], dtype: uint(4) }, 'swg_k1_s2', FRAMES),
    fmPadCase(r, { ifm: [32, 32], pads: [1, 1, 1, 1], c: 3, simd: 3, dtype: uint(8), value: 0 }, 'fmpad_32x32x3', FRAMES),
    fmPadCase(r, { ifm: [14, 14], pads: [1, 1, 1, 1], c: 64, simd: 32, dtype: BIPOLAR, value: -1 }, 'fmpad_14x14x64', FRAMES),
    fmPadCase(r, { ifm: [5, 3], pads: [0, 2, 3, 0], c: 4, simd: 2, dtype: int(4), value: -3 }, 'fmpad_uneven', FRAMES),
    maxPoolCase(r, { ifm: [28, 28], k: [2, 2], c: 64, pe: 32, dtype: BIPOLAR }, 'cnv_pool0_28x28x64', FRAMES),
    maxPoolCase(r, { ifm: [10, 10], k: [2, 2], c: 128, pe: 16, dtype: BIPOLAR }, 'cnv_pool1_10x10x128', FRAMES),
    maxPoolCase(r, { ifm: [10, 10], k: [2, 2], c: 8, pe: 4, dtype: int(4) }, 'pool_10x10_int4', FRAMES),
    maxPoolCase(r, { ifm: [5, 5], k: [2, 2], c: 6, pe: 3, dtype: int(3) }, 'pool_5to2_int3', FRAMES),
    maxPoolCase(r, { ifm: [7, 9], k: [3, 2], c: 4, pe: 4, dtype: uint(4) }, 'pool_7x9_k3x2', FRAMES),
    maxPoolCase(r, { ifm: [5, 5], k: [2, 2], c: 16, pe: 16, dtype: BIPOLAR }, 'pool_5to2_bipolar', FRAMES),
  ];
}

/** Depthwise sliding windows (elements in (C/SIMD, K_H, K_W, SIMD) order): MobileNet-like, strided, 1x1, non-square. */
function depthwiseCases(r: Rng): ConvCase[] {
  const dw = (n: string, s: Omit<SwgShape, 'depthwise'>): ConvCase => swgCase(r, { ...s, depthwise: true }, n, FRAMES);
  const cases = [
    dw('dw_mobilenet_14x14x32_s1', { ifm: [14, 14], c: 32, simd: 4, k: [3, 3], s: [1, 1], dtype: uint(4) }),
    dw('dw_mobilenet_15x15x16_s2', { ifm: [15, 15], c: 16, simd: 2, k: [3, 3], s: [2, 2], dtype: uint(4) }),
    dw('dw_k1_s1', { ifm: [5, 4], c: 6, simd: 3, k: [1, 1], s: [1, 1], dtype: int(3) }),
    dw('dw_k1_s2', { ifm: [7, 7], c: 4, simd: 1, k: [1, 1], s: [2, 2], dtype: uint(2) }),
    dw('dw_nonsquare_9x6_k3x2_s2x1', { ifm: [9, 6], c: 8, simd: 8, k: [3, 2], s: [2, 1], dtype: int(4) }),
    dw('dw_simd_eq_c', { ifm: [6, 6], c: 4, simd: 4, k: [3, 3], s: [1, 1], dtype: BIPOLAR }),
    dw('dw_one_window', { ifm: [3, 3], c: 12, simd: 2, k: [3, 3], s: [1, 1], dtype: uint(8) }),
  ];
  for (let i = 0; i < 25; i++) cases.push(dw(`dw_rand${i}`, randomSwgShape(r)));
  return cases;
}

/**
 * Parallel windows (finn_swg_par: one pixel in, the whole kh·kw·C window out per word): a ResNet-style 7×7/2 stem
 * over 3 channels, 3×3, non-square and strided, delay lines of 0 and 1 pixels, one window per frame, and random shapes.
 */
function parallelCases(r: Rng): ConvCase[] {
  const par = (n: string, s: Omit<SwgShape, 'simd'>): ConvCase => swgCase(r, { ...s, simd: s.k[0] * s.k[1] * s.c }, n, FRAMES);
  const cases = [
    par('par_stem_23x23x3_k7_s2', { ifm: [23, 23], c: 3, k: [7, 7], s: [2, 2], dtype: uint(8) }),
    par('par_10x10x4_k3', { ifm: [10, 10], c: 4, k: [3, 3], s: [1, 1], dtype: BIPOLAR }),
    par('par_9x7_k2x3_s3x2', { ifm: [9, 7], c: 2, k: [2, 3], s: [3, 2], dtype: int(4) }),
    par('par_line0_5x3_k2x3', { ifm: [5, 3], c: 3, k: [2, 3], s: [1, 1], dtype: uint(2) }),
    par('par_line1_6x4_k3', { ifm: [6, 4], c: 1, k: [3, 3], s: [1, 2], dtype: int(3) }),
    par('par_row_4x8_k1x3', { ifm: [4, 8], c: 2, k: [1, 3], s: [1, 1], dtype: TERNARY }),
    par('par_col_8x4_k3x1', { ifm: [8, 4], c: 2, k: [3, 1], s: [2, 1], dtype: uint(4) }),
    par('par_one_window_3x3x5', { ifm: [3, 3], c: 5, k: [3, 3], s: [1, 1], dtype: int(8) }),
  ];
  for (let i = 0; i < 20; i++) {
    const sh = randomSwgShape(r);
    if (sh.k[0] * sh.k[1] === 1) sh.k = [2, Math.min(2, sh.ifm[1])];
    sh.ifm = [Math.max(sh.ifm[0], sh.k[0]), Math.max(sh.ifm[1], sh.k[1])];
    cases.push(par(`par_rand${i}`, sh));
  }
  return cases;
}

function buildCases(): ConvCase[] {
  const r = new Rng(SEED);
  const cases = fixedCases(r);
  for (let i = 0; i < 80; i++) cases.push(swgCase(r, randomSwgShape(r), `swg_rand${i}`, FRAMES));
  for (let i = 0; i < 40; i++) cases.push(fmPadCase(r, randomFmPadShape(r), `fmpad_rand${i}`, FRAMES));
  for (let i = 0; i < 45; i++) cases.push(maxPoolCase(r, randomMaxPoolShape(r), `pool_rand${i}`, FRAMES));
  cases.push(...depthwiseCases(r));
  cases.push(...parallelCases(r));
  return cases;
}

function checkOutputs(c: ConvCase, res: ChannelResult): void {
  const what = `${c.name} (${c.summary}) ${JSON.stringify(c.params)}`;
  const bad = c.expected.findIndex((w, i) => i < res.outputWords.length && res.outputWords[i] !== w);
  if (bad >= 0) {
    assert.fail(`${what}: output word ${bad} is 0x${res.outputWords[bad]?.toString(16)}, expected ` +
      `0x${c.expected[bad]!.toString(16)} (word ${bad % c.outWordsPerFrame} of frame ${Math.floor(bad / c.outWordsPerFrame)})`);
  }
  assert.equal(res.outputWords.length, c.expected.length,
    `${what}: output words received (${res.inAccepted}/${c.inputWords.length} input words accepted)`);
  assert.equal(res.inAccepted, c.inputWords.length, `${what}: input words consumed`);
  assert.ok(res.extraWords <= c.leadingWords, `${what}: ${res.extraWords} extra output words after the last frame`);
}

/** Steady-state cycles per frame: the largest interval between frame completions after the first frame. */
function steadyState(res: ChannelResult): number[] {
  const iv = frameIntervals(res.frameDoneCycles);
  return iv.slice(1);
}

function checkThroughput(c: ConvCase, res: ChannelResult): void {
  const iv = steadyState(res);
  assert.ok(iv.length >= 2, `${c.name}: need at least 4 frames`);
  if (c.core === 'finn_swg') {
    assert.ok(Math.max(...iv) <= c.bound, `${c.name} (${c.summary}): cycles per frame ${iv.join(',')} > ${c.bound} ` +
      `(estimate ${c.estimate}, ${c.inWordsPerFrame} words in, ${c.outWordsPerFrame} out)`);
  } else {
    assert.deepEqual(iv, iv.map(() => c.estimate), `${c.name} (${c.summary}): cycles per frame vs cycles()`);
  }
}

const RUNS: { name: string; opts: RunOptions; throughput: boolean }[] = [
  { name: 'random stalls 30%/30%', opts: { seed: 41, inStallProb: 0.3, outStallProb: 0.3 }, throughput: false },
  { name: 'random stalls 50%/50%', opts: { seed: 42, inStallProb: 0.5, outStallProb: 0.5 }, throughput: false },
  { name: 'heavy backpressure 10%/80%', opts: { seed: 43, inStallProb: 0.1, outStallProb: 0.8 }, throughput: false },
  { name: 'starved input 80%/10%', opts: { seed: 44, inStallProb: 0.8, outStallProb: 0.1 }, throughput: false },
  { name: 'no stalls (throughput)', opts: { seed: 45 }, throughput: true },
];

describe('conv-path cores: randomized co-simulation against execute()', () => {
  const cases = buildCases();
  let model: Promise<CompiledModel> | undefined;
  const results = new Map<string, Promise<RunResult>>();
  const getModel = (): Promise<CompiledModel> => (model ??= compileCases(cases, join(WORK, 'conv'), true));
  const getRun = (run: (typeof RUNS)[number]): Promise<RunResult> => {
    let p = results.get(run.name);
    if (!p) results.set(run.name, (p = getModel().then((m) => runCases(m, cases, run.opts))));
    return p;
  };

  test(`compile ${cases.length} configurations into one Verilator model`, async (t) => {
    mkdirSync(join(WORK, 'conv'), { recursive: true });
    const m = await getModel();
    t.diagnostic(`verilator model ${m.cached ? 'found in cache' : 'compiled'} in ${m.compileSeconds.toFixed(1)} s`);
  });
  for (const run of RUNS) {
    describe(run.name, () => {
      test('run', async (t) => {
        const all = await getRun(run);
        t.diagnostic(`${all.cycles} cycles in ${all.wallSeconds.toFixed(1)} s (status ${all.status})`);
      });
      for (const [k, c] of cases.entries()) {
        test(c.name, async () => {
          const all = await getRun(run);
          checkOutputs(c, all.channels[k]!);
          if (run.throughput) checkThroughput(c, all.channels[k]!);
        });
      }
    });
  }
  test('cycles per frame of the CNV-sized and fixed configurations (measured vs estimate)', async (t) => {
    const all = await getRun(RUNS[RUNS.length - 1]!);
    for (const [k, c] of cases.entries()) {
      if (c.name.includes('rand')) continue;
      const ss = Math.max(...steadyState(all.channels[k]!));
      t.diagnostic(`${c.name.padEnd(22)} ${c.summary.padEnd(48)} measured ${ss} / estimate ${c.estimate} ` +
        `(in ${c.inWordsPerFrame}, out ${c.outWordsPerFrame} words)`);
    }
  });
});
