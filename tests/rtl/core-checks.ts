/**
 * Static checks of a layer's Verilog core, registered as tests: `verilator --lint-only -Wall` and Icarus elaboration
 * must be silent for each legal parameter set; each illegal set must print its "ERROR: <core>: …" and `$finish` in the
 * core's initial block (run under Icarus, which needs no C++ build, so the check costs well under a second per set).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { coreFiles, type CoreName } from '../../src/rtl/cores.ts';
import { lintVerilog } from '../../src/sim/lint.ts';

export type CoreParams = Record<string, number | string>;

const ivParams = (core: string, ps: CoreParams): string[] =>
  Object.entries(ps).map(([k, v]) => `-P${core}.${k}=${typeof v === 'number' ? v : `"${v}"`}`);

function iverilog(core: CoreName, params: CoreParams, out: string): ReturnType<typeof spawnSync> {
  return spawnSync('iverilog', ['-g2001', '-Wall', '-o', out, '-s', core, ...ivParams(core, params), ...coreFiles(core)], { encoding: 'utf8' });
}

/** Lint-clean (Verilator -Wall) and silent Icarus elaboration for every legal parameter set of the core. */
export function lintTests(core: CoreName, sets: readonly CoreParams[]): void {
  for (const params of sets) {
    test(`lint ${core} ${JSON.stringify(params)}`, async () => {
      const r = await lintVerilog(coreFiles(core), core, { params });
      assert.deepEqual(r.diagnostics, [], r.output);
      assert.ok(r.clean, r.output);
      const iv = iverilog(core, params, join(tmpdir(), `finn-ts-iv-${core}-${process.pid}.vvp`));
      assert.equal(iv.status, 0, String(iv.stderr));
      assert.equal(String(iv.stderr).trim(), '', String(iv.stderr));
    });
  }
}

/** A top with the core (ports open) and a probe that prints only if nothing called $finish at time 0. */
function probeTop(core: CoreName, params: CoreParams): string {
  const ps = Object.entries(params).map(([k, v]) => `.${k}(${typeof v === 'number' ? v : `"${v}"`})`).join(', ');
  return `module finn_ts_probe;\n  ${core} #(${ps}) dut ();\n  initial #1 $display("NOT FINISHED");\nendmodule\n`;
}

/** Every illegal parameter set stops the simulation in an initial block with its message (`msg` names the module). */
export function illegalParamTests(core: CoreName, sets: readonly (readonly [CoreParams, RegExp])[]): void {
  test(`${core}: illegal parameters print their ERROR and $finish`, () => {
    const dir = mkdtempSync(join(tmpdir(), 'finn-ts-probe-'));
    try {
      for (const [params, msg] of sets) {
        const top = join(dir, 'probe.v'), out = join(dir, 'probe.vvp');
        writeFileSync(top, probeTop(core, params));
        const c = spawnSync('iverilog', ['-g2001', '-o', out, '-s', 'finn_ts_probe', top, ...coreFiles(core)], { encoding: 'utf8' });
        assert.equal(c.status, 0, String(c.stderr));
        const r = spawnSync('vvp', ['-n', out], { encoding: 'utf8' });
        const what = `${JSON.stringify(params)}: ${r.stdout}`;
        assert.match(r.stdout, /ERROR: finn_\w+: /, what);
        assert.match(r.stdout, msg, what);
        assert.doesNotMatch(r.stdout, /NOT FINISHED/, `${what}: the initial block did not $finish`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
