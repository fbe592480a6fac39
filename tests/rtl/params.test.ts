/** Each core's initial block rejects illegal parameters ($display + $finish), and tool lookup fails helpfully. */
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { coreFiles, type CoreName } from '../../src/rtl/cores.ts';
import { finnChannel } from '../../src/sim/testbench.ts';
import { findVerilator, hasVerilator } from '../../src/sim/tools.ts';
import { compileModel, runModel } from '../../src/sim/verilator.ts';
import { FinnError } from '../../src/util/errors.ts';

const WORK = join(tmpdir(), 'finn-ts-rtl-tests');

const BAD: [CoreName, string[], number, number, RegExp][] = [
  ['finn_mvau', ['-GMW=6', '-GSIMD=4', '-GACC_BITS=3'], 4, 1, /finn_mvau: need MW % SIMD == 0/],
  ['finn_mvau', ['-GA_BIPOLAR=1'], 1, 1, /finn_mvau: A_BIPOLAR needs BINARY_XNOR = 0, ABITS = 1 and A_SIGNED = 0/],
  ['finn_thresholding', ['-GC=5', '-GPE=2'], 8, 2, /finn_thresholding: need C % PE == 0/],
  ['finn_labelselect', ['-GLABELS=10', '-GPE=3'], 24, 8, /finn_labelselect: need LABELS % PE == 0/],
  ['finn_fifo', ['-GDEPTH=1'], 8, 8, /finn_fifo: need WIDTH >= 1 and DEPTH >= 2/],
];

describe('parameter checks stop the simulation', () => {
  for (const [core, args, inBits, outBits, msg] of BAD) {
    test(`${core} ${args.join(' ')}`, async () => {
      const m = await compileModel({ sources: coreFiles(core), top: core, workDir: WORK,
        channels: [finnChannel(inBits, outBits)], extraArgs: args });
      await assert.rejects(runModel(m, { inputWords: [0n], expectOutputWords: 1 }), (e: unknown) => {
        assert.ok(e instanceof FinnError && e.code === 'E_SIM', String(e));
        assert.match(e.message, /\$finish/);
        assert.match(e.message, msg);
        return true;
      });
    });
  }
});

test('a missing Verilator is an E_TOOL error that says how to install it', () => {
  assert.throws(() => findVerilator('/nonexistent/verilator'), (e: unknown) => {
    assert.ok(e instanceof FinnError && e.code === 'E_TOOL');
    assert.match(e.hint, /apt-get install -y verilator/);
    return true;
  });
  assert.equal(hasVerilator('/nonexistent/verilator'), false);
});
