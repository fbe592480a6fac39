/** Yosys statistics → resources, progress parsing, the comparison table, memory-style rewrites (no tools run). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSynthFits, flattenCounts, parseStatJson, resourcesOf, synthOverflow } from '../../src/synth/stat.ts';
import { FinnError } from '../../src/util/errors.ts';
import { EXIT, exitCodeOf } from '../../src/cli.ts';
import { compareEstimates, errorPct, formatComparison } from '../../src/synth/compare.ts';
import { progressTracker, type Progress } from '../../src/synth/progress.ts';
import { ice40Ebrs, ice40RomInEbr, memoryFixes, synthScript, yosysFamily } from '../../src/synth/script.ts';
import { findPart } from '../../src/cost/parts.ts';

const STAT = JSON.stringify({
  modules: {
    '\\top': { num_cells_by_type: { '\\MVAU_0': 1, '$paramod$abc\\finn_fifo': 2, BUFG: 1, LUT2: 3, FDRE: 4 } },
    '\\MVAU_0': { num_cells_by_type: { LUT6: 10, LUT3: 5, INV: 7, FDRE: 20, FDSE: 2, RAMB36E1: 3, RAMB18E1: 1, RAM32M: 2, SRLC32E: 1, DSP48E1: 1, CARRY4: 9, '$scopeinfo': 1 } },
    '$paramod$abc\\finn_fifo': { num_cells_by_type: { LUT1: 1, FDRE: 3 } },
  },
});

test('stat -json: sub-modules expand (times their instance count) and Xilinx cells map to FINN resource units', () => {
  const mods = parseStatJson(STAT);
  assert.deepEqual([...mods.keys()].sort(), ['$paramod$abc\\finn_fifo', 'MVAU_0', 'top'].sort());
  const mv = resourcesOf(flattenCounts(mods, 'MVAU_0'), 'xilinx');
  // LUT = LUT1..6 + LUTRAM (RAM32M = 4 LUTs, SRLC32E = 1); INV not counted; BRAM18 = RAMB18 + 2 x RAMB36
  assert.deepEqual(mv, { LUT: 15 + 8 + 1, FF: 22, BRAM_18K: 7, URAM: 0, DSP: 1, LUTRAM: 9 });
  const top = resourcesOf(flattenCounts(mods, 'top'), 'xilinx');
  assert.equal(top.LUT, 3 + 24 + 2 * 1);
  assert.equal(top.FF, 4 + 22 + 2 * 3);
  assert.throws(() => flattenCounts(mods, 'nope'), /no module nope/);
});

test('iCE40 cells: SB_LUT4, SB_DFF*, EBR as 4/18 of a BRAM18, SPRAM, MAC16', () => {
  const r = resourcesOf({ SB_LUT4: 100, SB_DFFE: 30, SB_DFFESR: 5, SB_CARRY: 40, SB_RAM40_4K: 9, SB_SPRAM256KA: 1, SB_MAC16: 2 }, 'ice40');
  assert.deepEqual(r, { LUT: 100, FF: 35, BRAM_18K: 2, URAM: 0, DSP: 2, EBR: 9, SPRAM: 1 });
});

test('estimate vs synthesis: error % is (estimate − synth) / synth, n/a without a synthesized value or an estimate', () => {
  assert.equal(errorPct(150, 100), 50);
  assert.equal(errorPct(0, 0), 0);
  assert.equal(errorPct(5, 0), null);
  assert.equal(errorPct(null, 7), null);
  const z = { LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0 };
  const t = compareEstimates({
    part: 'xc7z020', tool: 'yosys', seconds: 12.34,
    layers: [{ node: 'MVAU_0', kind: 'MVAU', estimate: { ...z, LUT: 200, FF: 50 }, synth: { ...z, LUT: 100, FF: 100 } }],
    others: [{ node: 'StreamingFIFO_0', kind: 'StreamingFIFO', synth: { ...z, LUT: 10 } }],
    total: { ...z, LUT: 110, FF: 100 }, estimateTotal: { ...z, LUT: 200, FF: 50 },
  });
  assert.deepEqual(t.rows.map((r) => r.node), ['MVAU_0', 'StreamingFIFO_0', 'total']);
  assert.equal(t.rows[0]!.resources.LUT.error_pct, 100);
  assert.equal(t.rows[0]!.resources.FF.error_pct, -50);
  assert.equal(t.rows[1]!.resources.LUT.estimate, null);
  assert.equal(t.layers_total.resources.LUT.synth, 100);
  assert.equal(t.synth_seconds, 12.3);
  assert.match(formatComparison(t), /MVAU_0 +200 +100 +\+100\.0%/);
});

test('progress: milestones in order, monotonic, scaled into the caller\'s range', () => {
  const seen: Progress[] = [];
  const track = progressTracker('synth_xilinx', 'xilinx', (p) => seen.push(p), 0, 50);
  for (const l of ['1. Executing Verilog-2005 frontend: a.v', '2. Executing HIERARCHY pass', '3.1. Executing CHECK pass', '3.2 Executing TECHMAP pass',
    '3.4. Executing PROC pass', '4.1. Executing MEMORY_LIBMAP pass', '4.2. Executing TECHMAP pass', '4.3. Executing TECHMAP pass', '5.1. Executing ABC pass', '6. Executing CLKBUFMAP pass']) track(l);
  assert.deepEqual(seen.map((p) => p.pass), ['read_verilog', 'hierarchy', 'proc', 'memory_libmap', 'map_memory (block RAM contents)', 'abc (LUT mapping)', 'finalize']);
  assert.ok(seen.every((p, i) => i === 0 || p.percent >= seen[i - 1]!.percent));
  assert.ok(seen.at(-1)!.percent <= 50);
});

test('synthesis scripts: family per part, ROM styles Yosys cannot map literally are rewritten, layers kept as modules', () => {
  assert.equal(yosysFamily(findPart('xc7z020')), 'xc7');
  assert.equal(yosysFamily(findPart('ZCU104')), 'xcup');
  assert.equal(yosysFamily(findPart('kv260')), 'xcup');
  assert.equal(yosysFamily(findPart('ice40-up5k')), 'ice40');
  const x = memoryFixes('xc7', false);
  assert.ok(x.some((c) => c.includes('ram_style "logic"') && c.includes('r:WR_PORTS=0') && c.includes('a:ram_style=distributed')));
  assert.ok(x.some((c) => c.includes('ram_style "block"') && c.includes('a:ram_style=ultra')));
  assert.ok(!memoryFixes('xcup', true).some((c) => c === 'setattr -set ram_style "block" t:$mem_v2 a:ram_style=ultra %i'));
  const i = memoryFixes('ice40', false, [{ depth: 640, width: 1 }, { depth: 16, width: 32 }]);
  assert.ok(i.some((c) => c.includes('r:SIZE=640') && c.includes('r:WIDTH=1')));
  assert.ok(!i.some((c) => c.includes('r:SIZE=16 ')));
  assert.equal(ice40Ebrs(3136, 14), 13);
  assert.equal(ice40Ebrs(784, 64), 16);
  assert.ok(ice40RomInEbr(640, 1) && !ice40RomInEbr(16, 32));
  const s = synthScript({ sources: ['a.v', 'top.v'], design: 'finn_design', top: 'finn_design', family: 'xc7', uram: false });
  assert.match(s, /synth_xilinx -family xc7 -top finn_design -flatten -noiopad -run begin:map_memory; memory_libmap .*; setparam -set INIT 0 t:\$__XILINX_BLOCKRAM_\*; .*synth_xilinx -family xc7 -top finn_design -flatten -noiopad -run map_ffram:/);
  assert.doesNotMatch(synthScript({ sources: ['a.v'], design: 'finn_design', top: 'finn_design', family: 'xcup', uram: true, keepInit: true }), /setparam|-run/);
  assert.match(s, /setattr -mod -set keep_hierarchy 1 finn_design\/c:\* %M/);
  assert.match(synthScript({ sources: ['a.v'], design: 'finn_design', top: 'w', family: 'ice40', uram: false, ultraPlus: true, jsonOut: 'n.json' }), /synth_ice40 -top w -device u -dsp.*write_json n\.json/);
});

test('a synthesized design larger than its part is a typed E_STRICT error (exit 4) in the family\'s words; one that fits passes', () => {
  const up5k = findPart('ice40-up5k'), z020 = findPart('xc7z020');
  const r = (o: Partial<Record<'LUT' | 'FF' | 'BRAM_18K' | 'URAM' | 'DSP' | 'EBR', number>>) => ({ LUT: 0, FF: 0, BRAM_18K: 0, URAM: 0, DSP: 0, ...o });
  // measured: `finn synth` of a 512-256-10 W1A1 MLP at PE = SIMD = 1 gave 38 EBR; a 64-64-64-10 MLP at 1e7 frames/s 6,637 LUT4
  assert.deepEqual(synthOverflow(up5k, r({ LUT: 6637, FF: 3000, EBR: 38 })), ['6637 LUT4 for 5280 logic cells', '38 EBR of 30']);
  assert.deepEqual(synthOverflow(up5k, r({ LUT: 5280, FF: 5280, EBR: 30, DSP: 8 })), []);
  assert.deepEqual(synthOverflow(up5k, r({ FF: 5281, DSP: 9 })), ['5281 flip-flops for 5280 logic cells', '9 DSP of 8']);
  assert.deepEqual(synthOverflow(z020, r({ LUT: 60000, BRAM_18K: 281, DSP: 220 })), ['60000 LUT of 53200', '281 BRAM18 of 280']);
  assert.doesNotThrow(() => checkSynthFits(z020, r({ LUT: 12766 })));
  assert.throws(() => checkSynthFits(up5k, r({ EBR: 38 })), (e: unknown) => {
    assert.ok(e instanceof FinnError && e.code === 'E_STRICT');
    assert.match(e.message, /does not fit ice40-up5k: 38 EBR of 30/);
    assert.doesNotMatch(e.message, /BRAM18|\bLUT\b/);
    assert.equal(exitCodeOf(e), EXIT.strict);
    return true;
  });
});
