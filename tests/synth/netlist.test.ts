/**
 * Netlist simulation: the synthesized netlist (iCE40: the one placed and routed; Xilinx: synth_xilinx with block RAM)
 * through the verify step's testbench with random stalls, against the reference; a netlist with one LUT's truth
 * table inverted is caught and located to its layer and a frame.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ice40Bitstream } from '../../src/synth/ice40.ts';
import { synthesizeBuild } from '../../src/synth/synth.ts';
import { loadBuildDir } from '../../src/synth/build-dir.ts';
import { checkNetlistStage, NETLIST_FILE, verifyNetlist } from '../../src/synth/netlist.ts';
import { FinnError } from '../../src/util/errors.ts';
import { HAS_VERILATOR, smallBuild } from './helpers.ts';

const cacheDir = join(tmpdir(), 'finn-ts-verilator');
const json = (dir: string, f: string) => JSON.parse(readFileSync(join(dir, f), 'utf8'));

/** Invert the truth table of the `k`-th SB_LUT4 inside module `mod` (a 16-bit LUT_INIT). */
function invertLut(netlist: string, mod: string, k: number): string {
  const start = netlist.indexOf(`module ${mod}(`);
  const end = netlist.indexOf('endmodule', start);
  const re = /\.LUT_INIT\(16'([bh])([0-9a-fA-F]+)\)/g;
  re.lastIndex = start;
  let m: RegExpExecArray | null = null;
  for (let i = 0; i <= k; i++) m = re.exec(netlist);
  assert.ok(m && m.index < end, `module ${mod} has ${k + 1} LUTs`);
  const v = parseInt(m[2]!, m[1] === 'b' ? 2 : 16);
  const flipped = `.LUT_INIT(16'h${((~v) & 0xffff).toString(16).padStart(4, '0')})`;
  return netlist.slice(0, m.index) + flipped + netlist.slice(m.index + m[0].length);
}

test('iCE40 UP5K: the placed-and-routed synthesis netlist matches the reference; an inverted LUT is located', async () => {
  assert.ok(HAS_VERILATOR, 'verilator is needed (.ci/run installs it)');
  const dir = await smallBuild('netlist-ice40', { part: 'ice40-up5k', clockNs: 25 });
  const r = await ice40Bitstream(dir, { part: 'ice40-up5k', verifyNetlist: { cacheDir } });
  const st = r.netlist!;
  const v = json(dir, 'report/verification.json');
  assert.equal(st.images, v.stages.find((s: { stage: string }) => s.stage === 'stitched_rtl').images);
  assert.equal(st.mismatches, 0);
  assert.equal(st.status, 'ok');
  assert.equal(st.cycles_per_frame, json(dir, 'report/rtlsim_performance.json').cycles_per_frame);
  assert.match(st.flow, /post-synthesis .*placed and routed/);
  assert.deepEqual(v.stages.find((s: { stage: string }) => s.stage === 'netlist'), JSON.parse(JSON.stringify(st)));
  assert.match(readFileSync(join(dir, 'report.html'), 'utf8'), /Synthesized netlist/);
  // one LUT of MVAU_1 computes the inverse of its function: the per-layer netlist run names MVAU_1 and a frame
  const bad = invertLut(readFileSync(join(dir, NETLIST_FILE), 'utf8'), 'MVAU_1', 40);
  const b = loadBuildDir(dir);
  const sb = await verifyNetlist(b, { netlist: bad, family: 'ice40', flow: 'corrupted', cacheDir });
  assert.ok(sb.mismatches > 0, JSON.stringify(sb));
  assert.equal(sb.first_divergence?.layer, 'MVAU_1');
  assert.equal(typeof sb.first_divergence?.frame, 'number');
  assert.throws(() => checkNetlistStage(sb), (e: unknown) => e instanceof FinnError && e.code === 'E_VERIFY' && /MVAU_1, frame \d+/.test(e.message));
});

test('xc7z020: the synth_xilinx netlist with a block-RAM weight memory matches the reference', async () => {
  assert.ok(HAS_VERILATOR, 'verilator is needed (.ci/run installs it)');
  const dir = await smallBuild('netlist-xc7');
  const r = await synthesizeBuild(dir, { part: 'xc7z020', verifyNetlist: { cacheDir } });
  const netlist = readFileSync(join(dir, NETLIST_FILE), 'utf8');
  assert.match(netlist, /RAMB(18|36)E1/);
  assert.match(readFileSync(join(dir, 'netlist/cells_sim_xilinx.v'), 'utf8'), /Behavioural RAMB18E1\/RAMB36E1 models/);
  assert.equal(r.netlist!.mismatches, 0);
  assert.equal(r.netlist!.cycles_per_frame, json(dir, 'report/rtlsim_performance.json').cycles_per_frame);
});
