/** DuplicateStreams: finn_duplicate<N> lint and parameter checks; the core against execute() under random stalls. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, int, uint, type DataType } from '../../src/ir/datatype.ts';
import { duplicateStreams } from '../../src/hw/duplicatestreams.ts';
import { FinnError } from '../../src/util/errors.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { illegalParamTests, lintTests } from './core-checks.ts';
import { tempDir } from '../helpers/shared.ts';

function dupCase(name: string, outputs: number, dtype: DataType, channels: number, pe: number, vec: number[]): LayerCase {
  return {
    name, op: { kind: 'hw.DuplicateStreams', p: { channels, pe, outputs, dtype, numVectors: vec } },
    inputs: [{ dtype, shape: [1, ...vec, channels] }],
  };
}

describe('finn_duplicate: lint and parameter checks', () => {
  lintTests('finn_duplicate2', [{}, { WIDTH: 1 }, { WIDTH: 256 }]);
  lintTests('finn_duplicate3', [{ WIDTH: 12 }]);
  lintTests('finn_duplicate4', [{ WIDTH: 3 }]);
  lintTests('finn_duplicate', [{ N: 1, WIDTH: 4 }, { N: 7, WIDTH: 9 }]);
  illegalParamTests('finn_duplicate', [[{ N: 0 }, /finn_duplicate: need N >= 1 and WIDTH >= 1 \(N=0/]]);
});

test('DuplicateStreams core: 2, 3, 4 outputs, PE 1..C, bit-exact on every output with stalls, C/PE cycles per vector', async () => {
  const cases = [
    dupCase('dup2_u4_c8_pe2', 2, uint(4), 8, 2, [3, 3]),
    dupCase('dup2_bipolar_c16_pe16', 2, BIPOLAR, 16, 16, [4]),
    dupCase('dup3_i8_c6_pe1', 3, int(8), 6, 1, [2, 2]),
    dupCase('dup4_i2_c12_pe3', 4, int(2), 12, 3, [5]),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('duplicate'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 21, frames: 5 });
  for (const x of res) {
    assert.ok(x.mismatches.length >= 2, `${x.name}: outputs compared`);
    assert.deepEqual(x.mismatches, x.mismatches.map(() => 0), `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});

test('DuplicateStreams: FINN attributes round-trip; unsupported output counts are clear errors', () => {
  const p = { channels: 8, pe: 2, outputs: 3, dtype: uint(4), numVectors: [1, 4, 4] };
  assert.deepEqual(duplicateStreams.writeFinn(p).map((a) => a.name), ['NumChannels', 'PE', 'NumOutputStreams', 'inputDataType', 'numInputVectors']);
  assert.equal(duplicateStreams.cycles(p), 64);
  assert.throws(() => duplicateStreams.rtl({ ...p, outputs: 5 }, []), (e: unknown) => e instanceof FinnError && e.code === 'E_RTL' && /2\.\.4/.test(e.message));
  assert.throws(() => duplicateStreams.checkFolding({ ...p, pe: 3 }, 'dup'), (e: unknown) => e instanceof FinnError && e.code === 'E_FOLDING');
});
