/** AddStreams: finn_addstreams lint and parameter checks; the core against execute() under random stalls. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIPOLAR, dtName, int, TERNARY, uint, type DataType } from '../../src/ir/datatype.ts';
import { addStreams, addStreamsOutType } from '../../src/hw/addstreams.ts';
import { runLayerCases, type LayerCase } from './layer-harness.ts';
import { illegalParamTests, lintTests } from './core-checks.ts';
import { tempDir } from '../helpers/shared.ts';

function addCase(name: string, a: DataType, b: DataType, channels: number, pe: number, vec: number[]): LayerCase {
  return {
    name, op: { kind: 'hw.AddStreams', p: { channels, pe, inputTypes: [a, b], numVectors: vec } },
    inputs: [{ dtype: a, shape: [1, ...vec, channels] }, { dtype: b, shape: [1, ...vec, channels] }],
  };
}

describe('finn_addstreams: lint and parameter checks', () => {
  lintTests('finn_addstreams', [{}, { PE: 4, A_BITS: 1, A_BIPOLAR: 1, B_BITS: 8, B_SIGNED: 1, OBITS: 10 }, { PE: 2, A_BITS: 16, B_BITS: 2, OBITS: 17 }]);
  illegalParamTests('finn_addstreams', [
    [{ PE: 0 }, /finn_addstreams: need PE, A_BITS, B_BITS, OBITS >= 1 \(PE=0/],
    [{ A_BITS: 2, A_BIPOLAR: 1 }, /finn_addstreams: bipolar inputs have 1-bit elements/],
  ]);
});

test('AddStreams core: signed/unsigned/bipolar/ternary operands of different widths, bit-exact with stalls, C/PE cycles per vector', async () => {
  const cases = [
    addCase('add_u4_u4_c8_pe2', uint(4), uint(4), 8, 2, [3, 3]),
    addCase('add_i4_u2_c6_pe3', int(4), uint(2), 6, 3, [2, 2]),
    addCase('add_i8_i8_c4_pe1', int(8), int(8), 4, 1, [5]),
    addCase('add_bipolar_i3_c16_pe16', BIPOLAR, int(3), 16, 16, [4]),
    addCase('add_ternary_u1_c10_pe5', TERNARY, uint(1), 10, 5, [3]),
  ];
  const res = await runLayerCases(cases, { dir: tempDir('addstreams'), workDir: join(tmpdir(), 'finn-ts-rtl-tests'), seed: 31, frames: 5 });
  for (const x of res) {
    assert.deepEqual(x.mismatches, [0], `${x.name}: ${x.firstMismatch}`);
    assert.equal(x.cyclesPerFrame, x.estimate, `${x.name}: ${x.cyclesPerFrame} cycles/frame vs ${x.estimate} estimated`);
  }
});

test('AddStreams: output datatype as FINN derives it holds every sum; FINN attributes', () => {
  const cases: [DataType, DataType, string][] = [
    [uint(4), uint(4), 'UINT5'], [int(4), int(4), 'INT5'], [uint(4), int(4), 'INT6'], [BIPOLAR, BIPOLAR, 'INT3'], [uint(8), uint(2), 'UINT9'],
  ];
  for (const [a, b, want] of cases) assert.equal(dtName(addStreamsOutType([a, b])), want, `${dtName(a)} + ${dtName(b)}`);
  const p = { channels: 8, pe: 2, inputTypes: [int(4), uint(2)] as const, numVectors: [1, 3, 3] };
  assert.deepEqual(addStreams.writeFinn(p).find((a) => a.name === 'inputDataTypes'), { name: 'inputDataTypes', strs: ['INT4', 'UINT2'] });
  assert.equal(addStreams.cycles(p), 36);
});
