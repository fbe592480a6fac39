/** The synth/vivado/driver commands as registered into a commander program (src/cli.ts wires registerSynthCommand). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { registerSynthCommand } from '../../src/synth/command.ts';
import { FinnError } from '../../src/util/errors.ts';
import { smallBuild } from './helpers.ts';
import { tempDir } from '../helpers/shared.ts';

function program(): { p: Command; out: string[] } {
  const out: string[] = [];
  const p = new Command('finn').exitOverride().configureOutput({ writeErr: (s) => out.push(s), writeOut: (s) => out.push(s) });
  registerSynthCommand(p, (s) => out.push(s));
  return { p, out };
}

test('finn synth / vivado / driver / bitstream: options, errors and outputs', async () => {
  const { p, out } = program();
  assert.deepEqual(p.commands.map((c) => c.name()).sort(), ['bitstream', 'driver', 'synth', 'vivado']);
  await assert.rejects(p.parseAsync(['synth', tempDir('nobuild'), '--part', 'xc9000'], { from: 'user' }), (e: unknown) => e instanceof FinnError && e.code === 'E_PART');
  await assert.rejects(p.parseAsync(['synth', tempDir('nobuild'), '--part', 'xc7z020'], { from: 'user' }), (e: unknown) => e instanceof FinnError && /not a finn-ts build directory/.test(e.message));
  await assert.rejects(p.parseAsync(['vivado', 'x', '--board', 'Arty'], { from: 'user' }), (e: unknown) => (e as { code?: string }).code === 'commander.invalidArgument');
  const dir = await smallBuild('cmd', { to: 'rtl' });
  await p.parseAsync(['vivado', dir, '--board', 'KV260'], { from: 'user' });
  assert.ok(existsSync(join(dir, 'vivado/create_project.tcl')) && existsSync(join(dir, 'vivado/ip/component.xml')));
  await p.parseAsync(['driver', dir], { from: 'user' });
  assert.ok(existsSync(join(dir, 'driver/driver.py')));
  assert.ok(out.some((l) => /wrote driver\/driver\.py, driver\/driver_base\.py, driver\/finn_ts_packing\.py/.test(l)), out.join('\n'));
  // an unverified build cannot become a bitstream without --allow-unverified
  await assert.rejects(p.parseAsync(['synth', dir, '--part', 'ice40-up5k', '-q'], { from: 'user' }), (e: unknown) => e instanceof FinnError && e.code === 'E_VERIFY' && /never co-simulated/.test(e.message));
});
