/**
 * `finn explore` / `finn worker` end to end on a tiny exploration (TFC W1A1 at widths ×0.5 and ×2 for an iCE40 UP5K,
 * 1 epoch, 200 test images, 5 through the RTL): ×0.5 fits, ×2 cannot (its weights exceed the part) and is recorded
 * as infeasible. The same explore.json bytes with 2 local workers and a redis-server started by the command, after
 * kill -9 of a worker in the middle of a job (then one worker), and with one worker across a Redis restart; a re-run
 * computes nothing.
 * Every Redis here is our own redis-server on a free loopback port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { finn } from '../helpers/cli.ts';
import { MNIST, ROOT, tempDir } from '../helpers/shared.ts';
import { freePort, startRedis } from '../../src/explore/redis.ts';
import type { ExploreJson } from '../../src/explore/merge.ts';

const DIR = tempDir('explore');
const SIM_CACHE = join(DIR, 'verilator');
const ARGS = ['explore', '--topology', 'tfc', '--precisions', 'w1a1', '--widths', '0.5,2', '--part', 'ice40-up5k', '--epochs', '1',
  '--test-dataset', `mnist-idx:${MNIST}`, '--test-limit', '200', '--rtl-sample', '5', '--stalled-seconds', '10', '--sim-cache', SIM_CACHE];
const FINN = join(ROOT, 'bin/finn.js');

/** A running `finn` process whose output lines can be awaited. */
class Proc {
  readonly child: ChildProcess;
  out = '';
  readonly exited: Promise<number>;
  constructor(args: string[]) {
    this.child = spawn(process.execPath, [FINN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (d: Buffer) => { this.out += d.toString(); });
    this.child.stderr!.on('data', (d: Buffer) => { this.out += d.toString(); });
    this.exited = new Promise((r) => this.child.on('exit', (code, sig) => r(code ?? (sig ? 128 : -1))));
  }
  async waitFor(re: RegExp, ms = 120_000): Promise<RegExpExecArray> {
    const t0 = Date.now();
    for (;;) {
      const m = re.exec(this.out);
      if (m) return m;
      if (Date.now() - t0 > ms) throw new Error(`timed out waiting for ${re} in:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const exploreJson = (out: string): string => readFileSync(join(out, 'explore.json'), 'utf8');
let reference = '';

test('tiny exploration: 2 local workers and a local redis-server; infeasible point recorded; a re-run computes nothing', { timeout: 600_000 }, () => {
  const out = join(DIR, 'a');
  const r = finn([...ARGS, '--workers', '2', '--out', out]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /started redis-server on redis:\/\/127\.0\.0\.1:\d+/);
  assert.match(r.stdout, /2 points \(0 already done, 2 computed\): 1 fit, 1 do not fit, 0 failed/);
  reference = exploreJson(out);
  const j = JSON.parse(reference) as ExploreJson;
  const [small, big] = j.points as Extract<ExploreJson['points'][number], { status: 'ok' | 'infeasible' }>[];
  assert.deepEqual([small!.label, big!.label], ['W1A1 ×0.5', 'W1A1 ×2']);
  assert.deepEqual(small!.sizes, [784, 32, 32, 32, 10]);
  assert.deepEqual(big!.sizes, [784, 128, 128, 128, 10]);
  // the point that fits: accuracy from the reference executor, the RTL sample agrees image by image
  assert.equal(small!.status, 'ok');
  assert.equal(small!.accuracy.images, 200);
  assert.ok(small!.accuracy.top1 > 0.5, `1 epoch should reach > 50 %, got ${small!.accuracy.top1}`);
  assert.equal(small!.rtl!.images, 5);
  assert.equal(small!.rtl!.mismatches, 0);
  assert.ok(small!.estimate!.LUT > 0 && small!.estimate!.fps > 0);
  assert.deepEqual(small!.pareto, { lut: true, fps: true });
  // the point that cannot fit: recorded with the reason, and still an accuracy (its hardware graph in the executor)
  assert.equal(big!.status, 'infeasible');
  assert.match(big!.reason!, /does not fit ice40-up5k/);
  assert.equal(big!.estimate, null);
  assert.equal(big!.accuracy.images, 200);
  for (const p of [small!, big!]) assert.ok(existsSync(join(out, p.report)), `${p.report} missing`);
  assert.ok(existsSync(join(out, 'explore.html')));
  assert.ok(!existsSync(join(out, '.redis')), 'the local redis-server left its directory behind');
  assert.deepEqual(readdirSync(join(out, 'points')).sort(), [small!.key, big!.key].sort());
  // a re-run: both points are found by their content address, nothing is computed, the bytes stay
  const again = finn([...ARGS, '--workers', '2', '--out', out]);
  assert.equal(again.code, 0, again.stdout + again.stderr);
  assert.match(again.stdout, /2 points \(2 already done, 0 computed\)/);
  assert.doesNotMatch(again.stdout, /started redis-server/);
  assert.equal(exploreJson(out), reference);
});

test('kill -9 of a worker in the middle of a job: the point is computed again, once, and nothing partial is kept', { timeout: 600_000 }, async () => {
  assert.ok(reference, 'needs the first test');
  const redis = await startRedis({ dir: join(DIR, 'redis-kill') });
  const out = join(DIR, 'c');
  const workers: Proc[] = [];
  try {
    const w1 = new Proc(['worker', '--redis', redis.url, '--name', 'w1', '--stalled-seconds', '10', '--sim-cache', SIM_CACHE]);
    await w1.waitFor(/waiting for points/);
    workers.push(w1);
    const ex = new Proc([...ARGS, '--redis', redis.url, '--workers', '0', '--out', out]);
    const [, label, key] = await w1.waitFor(/started (W1A1 ×[\d.]+) \[([0-9a-f]+)\]/);
    await new Promise((r) => setTimeout(r, 500)); // well inside the job (training alone takes seconds)
    w1.child.kill('SIGKILL');
    await w1.exited;
    const w2 = new Proc(['worker', '--redis', redis.url, '--name', 'w2', '--stalled-seconds', '10', '--sim-cache', SIM_CACHE]);
    workers.push(w2);
    assert.equal(await ex.exited, 0, ex.out);
    assert.equal(exploreJson(out), reference);
    // the killed job was picked up again by the second worker, exactly once; the other point ran once
    assert.equal((w2.out.match(new RegExp(`started ${label} \\[${key}\\] attempt`, 'g')) ?? []).length, 1, w2.out);
    assert.equal((w1.out + w2.out).match(/started W1A1/g)!.length, 3, w1.out + w2.out);
    assert.match(ex.out, /✓ W1A1 ×0\.5/);
    assert.deepEqual(readdirSync(join(out, 'points')).filter((n) => n.startsWith('.')), []);
    for (const n of readdirSync(join(out, 'points'))) assert.ok(existsSync(join(out, 'points', n, 'result.json')));
  } finally {
    for (const w of workers) w.child.kill('SIGKILL');
    await redis.stop();
  }
});

test('Redis restarted mid-run: one worker and the coordinator reconnect and finish, same bytes', { timeout: 600_000 }, async () => {
  assert.ok(reference, 'needs the first test');
  const dir = join(DIR, 'redis-restart');
  const port = await freePort();
  let redis = await startRedis({ dir, port, persistent: true });
  const out = join(DIR, 'd');
  const w = new Proc(['worker', '--redis', redis.url, '--name', 'w3', '--stalled-seconds', '10', '--sim-cache', SIM_CACHE]);
  try {
    await w.waitFor(/waiting for points/);
    const ex = new Proc([...ARGS, '--redis', redis.url, '--workers', '0', '--out', out]);
    await w.waitFor(/started W1A1/);
    await redis.stop({ keepFiles: true });
    await w.waitFor(/Redis connection lost/);
    await new Promise((r) => setTimeout(r, 1000));
    redis = await startRedis({ dir, port, persistent: true });
    assert.equal(await ex.exited, 0, ex.out);
    assert.match(ex.out, /Redis connection lost/);
    assert.equal(exploreJson(out), reference);
    assert.match(w.out, /Redis connection back/);
  } finally {
    w.child.kill('SIGKILL');
    await redis.stop();
  }
});

test('bad input: unknown topology or precision, unreachable Redis, a worker without --redis', async () => {
  const out = join(DIR, 'bad');
  const topo = finn(['explore', '--topology', 'mlp9', '--test-dataset', `mnist-idx:${MNIST}`, '--out', out]);
  assert.equal(topo.code, 2);
  assert.match(topo.stderr, /E_USAGE: unknown topology "mlp9"[\s\S]*tfc, sfc, lfc, cnv/);
  const prec = finn(['explore', '--topology', 'tfc', '--precisions', 'w1a1,w3', '--test-dataset', `mnist-idx:${MNIST}`, '--out', out]);
  assert.equal(prec.code, 2);
  assert.match(prec.stderr, /E_USAGE: unknown precision "w3"/);
  const port = await freePort(); // nothing listens there
  const unreachable = finn([...ARGS, '--redis', `redis://127.0.0.1:${port}`, '--out', out]);
  assert.equal(unreachable.code, 2, unreachable.stdout + unreachable.stderr);
  assert.match(unreachable.stderr, new RegExp(`E_REDIS: cannot reach Redis at redis://127\\.0\\.0\\.1:${port}`));
  const notUrl = finn(['worker', '--redis', 'localhost:6379']);
  assert.equal(notUrl.code, 2);
  assert.match(notUrl.stderr, /E_REDIS: --redis "localhost:6379" is not a redis:\/\/ URL/);
  const noRedis = finn(['worker']);
  assert.equal(noRedis.code, 2);
  assert.match(noRedis.stderr, /E_USAGE: finn worker needs --redis/);
  const w = finn(['worker', '--redis', `redis://127.0.0.1:${port}`]);
  assert.equal(w.code, 2);
  assert.match(w.stderr, /E_REDIS: cannot reach Redis/);
});

test('explore.html in chromium: offline, both scatter plots drawn, the front highlighted, points link to their build reports', { timeout: 120_000 }, async () => {
  assert.ok(reference, 'needs the first test');
  const { chromium } = await import('playwright-core');
  const { pathToFileURL } = await import('node:url');
  const { mkdirSync } = await import('node:fs');
  const chromiumPath = process.env.FINN_CHROMIUM ?? '/usr/bin/chromium';
  assert.ok(existsSync(chromiumPath), `chromium not found at ${chromiumPath}: apt-get install -y chromium (or set FINN_CHROMIUM)`);
  const out = join(DIR, 'a');
  const j = JSON.parse(reference) as ExploreJson;
  const browser = await chromium.launch({ executablePath: chromiumPath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => { if (m.type() === 'error' || m.type() === 'warning') problems.push(`console ${m.type()}: ${m.text()}`); });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => { if (!r.url().startsWith('file:')) problems.push(`network request: ${r.url()}`); });
    await page.goto(pathToFileURL(join(out, 'explore.html')).href, { waitUntil: 'load' });
    for (const chart of ['accuracy-lut', 'accuracy-fps']) {
      const svg = page.locator(`svg[data-chart="${chart}"]`);
      const box = await svg.boundingBox();
      assert.ok(box && box.width > 300 && box.height > 200, `${chart} is not drawn`);
      assert.equal(await svg.locator('a.point').count(), 2, `${chart}: one marker per point`);
      assert.equal(await svg.locator('a.point.infeasible').count(), 1, `${chart}: the infeasible point in its band`);
      assert.equal(await svg.locator('rect.infeasible-band').count(), 1);
      assert.equal(await svg.locator('a.point.front').count(), 1, `${chart}: the front`);
      const hrefs = await svg.locator('a.point').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      assert.deepEqual(hrefs, j.points.map((p) => ('report' in p ? p.report : '')));
    }
    assert.equal(await page.locator('#points tbody tr').count(), 2);
    mkdirSync(join(ROOT, 'test-artifacts'), { recursive: true });
    await page.screenshot({ path: join(ROOT, 'test-artifacts', 'explore.png'), fullPage: true });
    // a point's link opens its build's report
    await page.locator('svg[data-chart="accuracy-lut"] a.point.front').click();
    await page.waitForURL(/build\/report\.html$/);
    assert.match(await page.title(), /finn-ts build report/);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
