/** Every core passes `verilator --lint-only -Wall` with no message, for several parameter sets. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { coreFiles, type CoreName } from '../../src/rtl/cores.ts';
import { lintVerilog, parseVerilatorMessages } from '../../src/sim/lint.ts';

type Params = Record<string, number | string>;

const SETS: [CoreName, Params][] = [
  ['finn_mvau', {}],
  ['finn_mvau', { MW: 784, MH: 64, PE: 16, SIMD: 49, ACC_BITS: 10, TBITS: 11, RAM_STYLE: 'block' }],
  ['finn_mvau', { MW: 784, MH: 64, PE: 4, SIMD: 28, ACC_BITS: 10, TBITS: 11, PIPE: 2, IBUF_FF: 1, CREG: 1 }],
  ['finn_fifo', { WIDTH: 16, DEPTH: 2, OREG: 1 }],
  ['finn_mvau', { MW: 12, MH: 6, PE: 3, SIMD: 4, WBITS: 4, ABITS: 2, W_SIGNED: 1, A_SIGNED: 0, BINARY_XNOR: 0,
    ACC_BITS: 9, USE_THRESH: 1, NTHRESH: 3, TBITS: 10, OBITS: 2, ACT_VAL: -2, N_VECTORS: 4 }],
  ['finn_mvau', { MW: 8, MH: 8, PE: 8, SIMD: 8, WBITS: 8, ABITS: 8, W_SIGNED: 1, A_SIGNED: 1, BINARY_XNOR: 0,
    ACC_BITS: 19, USE_THRESH: 0, OBITS: 24, RAM_STYLE: 'distributed' }],
  ['finn_mvau', { MW: 1, MH: 1, ACC_BITS: 1, USE_THRESH: 0, NTHRESH: 0, OBITS: 1 }],
  // bipolar inputs x signed weights with thresholds; x unsigned 1-bit weights, raw accumulator
  ['finn_mvau', { MW: 12, MH: 6, PE: 3, SIMD: 4, WBITS: 4, ABITS: 1, W_SIGNED: 1, A_SIGNED: 0, BINARY_XNOR: 0,
    A_BIPOLAR: 1, ACC_BITS: 7, USE_THRESH: 1, NTHRESH: 2, TBITS: 8, OBITS: 2 }],
  ['finn_mvau', { MW: 6, MH: 2, PE: 2, SIMD: 6, WBITS: 1, ABITS: 1, W_SIGNED: 0, A_SIGNED: 0, BINARY_XNOR: 0,
    A_BIPOLAR: 1, ACC_BITS: 4, USE_THRESH: 0, OBITS: 6 }],
  // LFC-size binarized layer (8192-bit weight words, popcount tree over 64-bit fields)
  ['finn_mvau', { MW: 1024, MH: 1024, PE: 128, SIMD: 64, ACC_BITS: 11, TBITS: 12, RAM_STYLE: 'block' }],
  ['finn_thresholding', {}],
  ['finn_thresholding', { C: 64, PE: 8, ABITS: 16, A_SIGNED: 1, NTHRESH: 15, TBITS: 16, OBITS: 4, ACT_VAL: -8,
    N_VECTORS: 196, RAM_STYLE: 'distributed' }],
  ['finn_thresh_table', {}],
  ['finn_thresh_table', { C: 3, PE: 3, ABITS: 8, OBITS: 8, RAM_STYLE: 'block' }],
  ['finn_thresh_table', { C: 1, PE: 1, ABITS: 1, OBITS: 1 }],
  ['finn_labelselect', {}],
  ['finn_labelselect', { LABELS: 1000, PE: 8, IBITS: 16, I_SIGNED: 0, OBITS: 16 }],
  ['finn_labelselect', { LABELS: 1, PE: 1, IBITS: 1, OBITS: 1 }],
  ['finn_labelselect', { LABELS: 12, PE: 4, IBITS: 5, OBITS: 4, K: 5, VALID: 10 }],
  ['finn_labelselect', { LABELS: 12, PE: 1, IBITS: 6, OBITS: 4, K: 1, VALID: 10 }],
  ['finn_dwc', {}],
  ['finn_dwc', { IN_BITS: 784, OUT_BITS: 8 }],
  ['finn_dwc', { IN_BITS: 3, OUT_BITS: 100 }],
  ['finn_dwc', { IN_BITS: 8, OUT_BITS: 784 }],
  ['finn_dwc', { IN_BITS: 2, OUT_BITS: 1 }],
  ['finn_dwc', { IN_BITS: 1, OUT_BITS: 2 }],
  ['finn_fifo', {}],
  ['finn_chpad', {}],
  ['finn_chpad', { SIMD: 16, BITS: 1, IN_WORDS: 49, OUT_WORDS: 52 }],
  ['finn_chpad', { SIMD: 64, OUT_SIMD: 66, BITS: 1, IN_WORDS: 1, OUT_WORDS: 1 }],
  ['finn_chpad', { SIMD: 3, OUT_SIMD: 4, BITS: 2, IN_WORDS: 1, OUT_WORDS: 1, PAD_VALUE: 1 }],
  ['finn_fifo', { WIDTH: 64, DEPTH: 1024, RAM_STYLE: 'auto' }],
  ['finn_fifo', { WIDTH: 1, DEPTH: 3, RAM_STYLE: 'block' }],
  ['finn_fifo', { WIDTH: 7, DEPTH: 33, RAM_STYLE: 'distributed' }],
];

describe('verilator --lint-only -Wall', () => {
  for (const [core, params] of SETS) {
    test(`${core} ${JSON.stringify(params)}`, async () => {
      const r = await lintVerilog(coreFiles(core), core, { params });
      assert.deepEqual(r.diagnostics, [], r.output);
      assert.ok(r.clean, r.output);
    });
  }
});


describe('iverilog -g2001 elaborates every core (.ci/run installs iverilog)', () => {
  for (const [core, params] of SETS) {
    test(`${core} ${JSON.stringify(params)}`, () => {
      const ps = Object.entries(params).map(([k, v]) => `-P${core}.${k}=${typeof v === 'number' ? v : `"${v}"`}`);
      const out = join(tmpdir(), `finn-ts-iverilog-${process.pid}.vvp`);
      const r = spawnSync('iverilog', ['-g2001', '-Wall', '-o', out, '-s', core, ...ps, ...coreFiles(core)],
        { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr.trim(), '', r.stderr);
    });
  }
});

test('parseVerilatorMessages reads code, file, line and column', () => {
  const d = parseVerilatorMessages([
    "%Warning-WIDTH: finn_x.v:57:24: Operator VAR 'A' expects 2 bits",
    '                                 : ... In instance finn_x',
    '%Error: top.v:3: syntax error',
    '%Error: Exiting due to 2 warning(s)',
  ].join('\n'));
  assert.deepEqual(d, [
    { severity: 'warning', code: 'WIDTH', file: 'finn_x.v', line: 57, column: 24, message: "Operator VAR 'A' expects 2 bits" },
    { severity: 'error', code: '', file: 'top.v', line: 3, column: 0, message: 'syntax error' },
  ]);
});
