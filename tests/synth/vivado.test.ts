/** Vivado export and PYNQ driver: deterministic bytes from a build directory, golden snapshots (UPDATE_GOLDEN=1 refreshes). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { writeVivadoProject } from '../../src/synth/vivado.ts';
import { writeDriver } from '../../src/driver/pynq.ts';
import { loadBuildDir, rtlHashes } from '../../src/synth/build-dir.ts';
import { FinnError } from '../../src/util/errors.ts';
import { ROOT } from '../helpers/shared.ts';
import { smallBuild } from './helpers.ts';

const GOLDEN = join(ROOT, 'tests/golden');
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const path = join(GOLDEN, name);
  if (UPDATE || !existsSync(path)) {
    mkdirSync(join(path, '..'), { recursive: true });
    writeFileSync(path, actual);
    if (!UPDATE) assert.fail(`golden file ${name} did not exist and was written; check it in (or run with UPDATE_GOLDEN=1)`);
    return;
  }
  assert.equal(actual, readFileSync(path, 'utf8'), `${name} differs from the golden snapshot (UPDATE_GOLDEN=1 to refresh)`);
}

const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

test('vivado/ is byte-identical for the same build directory and matches the golden snapshots (board and part-only projects)', async () => {
  const dir = await smallBuild('vivado', { to: 'rtl' });
  const first = writeVivadoProject(dir, { board: 'Pynq-Z2' });
  const hashes = new Map(first.map((f) => [f, sha(join(dir, f))]));
  const again = writeVivadoProject(dir, { board: 'pynq-z2' });
  assert.deepEqual(again, first);
  for (const f of again) assert.equal(sha(join(dir, f)), hashes.get(f), `${f} changed between two exports`);
  // the IP sources are exactly the build's RTL
  const b = loadBuildDir(dir);
  for (const [f, h] of Object.entries(rtlHashes(b))) assert.equal(sha(join(dir, 'vivado/ip/src', f)), h, f);
  const xml = readFileSync(join(dir, 'vivado/ip/component.xml'), 'utf8');
  for (const s of ['<spirit:name>s_axis_0</spirit:name>', '<spirit:name>m_axis_0</spirit:name>', 'spirit:name="axis"', '<spirit:slave/>', '<spirit:master/>',
    '>ACTIVE_LOW<', '>s_axis_0:m_axis_0<', '>100000000<']) assert.ok(xml.includes(s), s);
  golden('vivado-mlp-pynq-z2/component.xml', xml);
  golden('vivado-mlp-pynq-z2/create_project.tcl', readFileSync(join(dir, 'vivado/create_project.tcl'), 'utf8'));
  golden('vivado-mlp-pynq-z2/finn_tlast.v', readFileSync(join(dir, 'vivado/src/finn_tlast.v'), 'utf8'));
  writeVivadoProject(dir, { part: 'xczu7ev', fclkMhz: 200 });
  const tcl = readFileSync(join(dir, 'vivado/create_project.tcl'), 'utf8');
  assert.match(tcl, /set part "xczu7ev-ffvc1156-2-e"/);
  assert.match(tcl, /out_of_context/);
  assert.doesNotMatch(tcl, /create_bd_design/);
  golden('vivado-mlp-xczu7ev/create_project.tcl', tcl);
  writeDriver(dir);
  golden('driver-mlp/driver.py', readFileSync(join(dir, 'driver/driver.py'), 'utf8'));
  assert.throws(() => writeVivadoProject(dir, { board: 'Arty' }), (e: unknown) => e instanceof FinnError && /Pynq-Z1, Pynq-Z2, ZCU104, KV260/.test(e.hint));
  assert.throws(() => writeVivadoProject(dir, { part: 'ice40-up5k' }), /not a Xilinx part/);
});
