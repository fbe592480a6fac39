/**
 * Interrupted and concurrent builds (issue 15, issue 17 observation 4): a build cancelled exactly at each step boundary
 * (build()'s AbortSignal) resumes to the same bytes; a build killed (SIGINT or SIGKILL) at every step
 * boundary and in the middle of rtl, fifo-size and verify is resumed by running the same command again, and ends with
 * the same bytes as an uninterrupted build; the directory lock refuses a second build and a stale lock is taken over;
 * SIGINT kills the Verilator/make children, removes temporary folders and marks the build `interrupted`; driver/synth
 * refuse an interrupted directory unless --force.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { writeModel } from '../../src/onnx/write.ts';
import { syntheticQonnxMlp } from '../../src/models/synthetic.ts';
import { STEP_NAMES } from '../../src/step-names.ts';
import { finn } from '../helpers/cli.ts';
import { ROOT, tempDir } from '../helpers/shared.ts';

const DIR = tempDir('interrupt');
const MODEL = join(DIR, 'mlp.onnx');
const FOLD = join(DIR, 'fold.json');
const CACHE = join(DIR, 'sim-cache');
writeModel(syntheticQonnxMlp({ sizes: [64, 32, 32, 10], wbits: 1, abits: 1, seed: 7 }), MODEL);
writeFileSync(FOLD, JSON.stringify({ Thresholding_0: { PE: 4 }, MVAU_0: { PE: 4, SIMD: 8 }, MVAU_1: { PE: 4, SIMD: 8 }, MVAU_2: { PE: 2, SIMD: 8 } }));
const args = (out: string, cache = CACHE): string[] => ['build', MODEL, '--out', out, '--folding', FOLD, '--input-kind', 'image', '--verify-limit', '16', '--sim-cache', cache];

/** Files whose content records wall times (they differ between any two runs). */
const TIMED = new Set(['time_per_step.json', 'report.html', 'report/fifo_sizing.json', 'report/verification.json', 'report/rtlsim_performance.json']);

function listFiles(root: string, dir = root): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? listFiles(root, p) : [relative(root, p)];
  }).sort();
}
const sha = (p: string): string => createHash('sha256').update(readFileSync(p)).digest('hex');

/** Every file of `b` equals `a` (timed files: same JSON after removing the time fields). */
function assertSameOutputs(a: string, b: string): void {
  const fa = listFiles(a).filter((f) => !f.startsWith('sim/')), fb = listFiles(b).filter((f) => !f.startsWith('sim/'));
  assert.deepEqual(fb, fa, 'same files');
  for (const f of fa) {
    if (TIMED.has(f)) continue;
    assert.equal(sha(join(b, f)), sha(join(a, f)), `${f} is byte-identical`);
  }
}

interface Run { code: number | null; signal: string | null; stdout: string; stderr: string }

/** Start a build; when `when(stdout)` first holds, send `signal` (after `delayMs`). */
function runAndKill(out: string, when: (stdout: string) => boolean, signal: NodeJS.Signals, delayMs = 0, cache = CACHE): Promise<Run> {
  return new Promise((res) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/finn.js'), ...args(out, cache)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '', sent = false;
    p.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (!sent && when(stdout)) { sent = true; setTimeout(() => p.kill(signal), delayMs); }
    });
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code, sig) => res({ code, signal: sig, stdout, stderr }));
  });
}

const status = (out: string) => JSON.parse(readFileSync(join(out, 'build_status.json'), 'utf8'));
const started = (step: string) => (s: string) => new RegExp(`^▸ \\[\\d+/\\d+\\] ${step}:`, 'm').test(s);
const finished = (step: string) => (s: string) => new RegExp(`^✓ \\[\\d+/\\d+\\] ${step} `, 'm').test(s);

test('reference build, then a build killed at every step boundary and mid rtl/fifo-size/verify resumes to the same bytes', { timeout: 900_000 }, async (t) => {
  const ref = join(DIR, 'ref');
  const r = finn(args(ref));
  assert.equal(r.code, 0, r.stderr);
  const out = join(DIR, 'killed');
  // a chain of runs: each is killed at the next point and the next run (the same command) resumes it
  const points: [string, (s: string) => boolean, NodeJS.Signals, number][] = [];
  STEP_NAMES.forEach((st, i) => {
    points.push([`after ${st}`, finished(st), i % 2 ? 'SIGINT' : 'SIGKILL', 0]);
    if (st === 'estimate') points.push(['mid rtl', started('rtl'), 'SIGKILL', 0]);
    if (st === 'rtl') points.push(['mid fifo-size', started('fifo-size'), 'SIGINT', 1500]);
    if (st === 'fifo-size') points.push(['mid verify (SIGINT)', started('verify'), 'SIGINT', 300], ['mid verify (SIGKILL)', started('verify'), 'SIGKILL', 300]);
  });
  points.pop(); // killing after the last step finished would race with the build's end
  const killed: string[] = [];
  for (const [what, when, sig, delay] of points) {
    const k = await runAndKill(out, when, sig, delay);
    // the point came too late (the build had finished, or was writing its report, when the signal arrived)
    if (k.code === 0 || status(out).status === 'complete') continue;
    killed.push(`${what} (${sig}, stopped in ${status(out).interrupted_step ?? `after ${status(out).last_finished_step}`})`);
    if (sig === 'SIGINT') {
      assert.equal(k.code, 130, `${what}: exit 130\n${k.stderr}`);
      assert.match(k.stderr, /interrupted \(SIGINT\): interrupted during [\w-]+; finished: .*run the same command again to resume/, what);
      assert.match(k.stderr, /resume: finn build /, what);
      assert.equal(status(out).status, 'interrupted', what);
      assert.ok(!existsSync(join(out, '.finn-build.lock')), `${what}: lock released`);
    } else {
      assert.equal(k.signal, 'SIGKILL', what);
      assert.equal(status(out).status, 'running', `${what}: a killed build stays "running" (its lock is stale)`);
      assert.match(finn(['driver', out]).stderr, /E_INCOMPLETE: the build in .* is not complete \(status: interrupted/, `${what}: driver refuses`);
    }
  }
  t.diagnostic(`${killed.length} of ${points.length} runs killed: ${killed.join('; ')}`);
  // a point after a step that a previous run already finished is never reached (that run resumes later): then the
  // run completes and the next one starts fresh; the synchronous steps see a SIGINT at the next step boundary (each
  // boundary exactly: the AbortSignal test below). Real signals must have landed, both kinds.
  assert.ok(killed.length >= 4 && killed.some((k) => k.includes('SIGKILL')) && killed.some((k) => k.includes('SIGINT')), `kill points reached: ${killed.join('; ')}`);
  const before = status(out).status;
  const last = finn(args(out));
  assert.equal(last.code, 0, last.stderr);
  if (before !== 'complete') assert.match(last.stdout, /resume: .* was interrupted after [\w-]+ with the same model and options; continuing from/);
  assert.equal(status(out).status, 'complete');
  assertSameOutputs(ref, out);
  assert.deepEqual(readdirSync(CACHE).filter((f) => f.includes('.tmp-')), [], 'no temporary folders left in the Verilator cache');
});

test('SIGINT during a Verilator build (fifo-size): make/g++/simulator children are gone, status interrupted, report and driver say so; --force overrides', { timeout: 600_000 }, async () => {
  const out = join(DIR, 'sigint');
  // a cache of its own: cold, so the SIGINT lands while fifo-size's Verilator build (make, g++) runs, whatever ran before
  const cache = join(DIR, 'sim-cache-sigint');
  const k = await runAndKill(out, started('fifo-size'), 'SIGINT', 300, cache);
  assert.equal(k.code, 130, k.stderr);
  const s = status(out);
  assert.equal(s.status, 'interrupted');
  assert.equal(s.interrupted_step, 'fifo-size');
  assert.equal(s.last_finished_step, 'rtl');
  // no process is left that runs in the build's cache (make, g++, the simulator)
  const ps = spawnSync('ps', ['-eo', 'args'], { encoding: 'utf8' }).stdout;
  assert.ok(!ps.includes(cache), `no child left running:\n${ps.split('\n').filter((l) => l.includes(cache)).join('\n')}`);
  assert.deepEqual(readdirSync(cache).filter((f) => f.includes('.tmp-')), []);
  const d = finn(['driver', out]);
  assert.equal(d.code, 2);
  assert.match(d.stderr, /E_INCOMPLETE: .*status: interrupted after rtl[\s\S]*--force/);
  assert.equal(finn(['driver', out, '--force']).code, 0);
  const rep = finn(['report', out]);
  assert.equal(rep.code, 0, rep.stderr);
  assert.match(readFileSync(join(out, 'report.html'), 'utf8'), /Build interrupted during step <b>fifo-size<\/b> after <b>rtl<\/b>/);
});

test('lock: a second build into the same directory is refused while the first runs; a stale lock (dead pid) is taken over', { timeout: 600_000 }, async () => {
  const out = join(DIR, 'locked');
  const first = spawn(process.execPath, [join(ROOT, 'bin/finn.js'), ...args(out)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let firstOut = '';
  const done = new Promise<number | null>((res) => first.on('close', (c) => res(c)));
  await new Promise<void>((res) => first.stdout.on('data', (d: Buffer) => { firstOut += d.toString(); if (started('tidy')(firstOut)) res(); }));
  first.kill('SIGSTOP'); // hold the first build mid-way (deterministic overlap), then let it go on
  const second = finn(args(out));
  first.kill('SIGCONT');
  assert.equal(second.code, 2, second.stderr);
  assert.match(second.stderr, new RegExp(`E_LOCKED: .* is in use by another finn build \\(pid ${first.pid} `));
  assert.equal(await done, 0, 'the first build is not disturbed');
  assert.ok(!existsSync(join(out, '.finn-build.lock')));
  // a lock left by a process that no longer exists
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const stale = join(DIR, 'stale');
  mkdirSync(stale);
  writeFileSync(join(stale, '.finn-build.lock'), JSON.stringify({ pid: Number(dead.stdout), host: (await import('node:os')).hostname(), started: '2026-01-01T00:00:00.000Z' }));
  const r = finn([...args(stale), '--to', 'estimate']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`lock: taking over .finn-build.lock left by pid ${dead.stdout} \\(no longer running\\)`));
});

test('a build cancelled exactly at each step boundary (build()\'s AbortSignal, as a host program\'s Ctrl-C) is marked interrupted after that step and resumes to the same bytes', { timeout: 900_000 }, async () => {
  const { build } = await import('../../src/build.ts');
  const { FinnError } = await import('../../src/util/errors.ts');
  const opts = (out: string) => ({ model: MODEL, out, foldingFile: FOLD, inputKind: 'image' as const, verifyLimit: 16, simCacheDir: CACHE, part: 'xc7z020', clockNs: 10,
    preprocess: 'auto' as const, maxWeightWidth: 36, twoPassFolding: false });
  const ref = join(DIR, 'abort-ref');
  await build({ ...opts(ref), log: () => {} });
  for (const step of STEP_NAMES.slice(0, -1)) {
    const out = join(DIR, `abort-${step}`);
    const ac = new AbortController();
    // the log line that ends `step` comes before the step boundary where the signal is checked
    const log = (m: string) => { if (m.startsWith(`step ${step}:`)) ac.abort(); };
    await assert.rejects(build({ ...opts(out), log, signal: ac.signal }), (e: unknown) => e instanceof FinnError && e.code === 'E_INTERRUPTED' && e.message.includes(`run the same command again to resume from`));
    const st = status(out);
    assert.deepEqual([st.status, st.last_finished_step, st.interrupted_step], ['interrupted', step, STEP_NAMES[STEP_NAMES.indexOf(step) + 1]], `cancelled after ${step}`);
    assert.ok(!existsSync(join(out, '.finn-build.lock')), `${step}: lock released`);
    const lines: string[] = [];
    await build({ ...opts(out), log: (m) => lines.push(m) });
    assert.ok(lines.some((l) => l.startsWith(`resume: ${out} was interrupted after ${step} `)), `${step}: resumed (${lines[0]})`);
    assert.equal(status(out).status, 'complete');
    assertSameOutputs(ref, out);
  }
});
