/**
 * `node --import tsx bench/explore.ts [rounds] [--four] [--full | --issue]`: wall time of the same TFC exploration with 1
 * and with 2 local workers — by default a small one (W1A1, W2A2 × widths 0.5, 1), with --full the issue's grid (W1A1,
 * W1A2, W2A2, W4A4 × widths 0.5, 1, 2); 5 epochs, 2,000 test images, 20 through the RTL; with --issue the issue's grid
 * at `finn explore`'s defaults (10 epochs, all 10,000 test images, 100 through the RTL) — interleaved (1, 2,
 * 1, 2, …) so that a shared machine's load falls on both alike; prints each run, the speed-up of the sums, and checks
 * that every run wrote the same explore.json bytes. With --four, one more run: 4 workers, 2 local and 2 started with
 * `finn worker --redis URL` as if on other machines, on a redis-server started here. Every run starts from an empty
 * output directory. Needs redis-server, Icarus or Verilator and ../shared/datasets/mnist.
 */
import { spawn, spawnSync } from 'node:child_process';
import { startRedis } from '../src/explore/redis.ts';
import { stopProcess } from '../src/util/stop-process.ts';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const mnist = join(root, '../shared/datasets/mnist');
const rounds = Number(process.argv[2] && !process.argv[2].startsWith('--') ? process.argv[2] : 2);
const issue = process.argv.includes('--issue');
const grid = process.argv.includes('--full') || issue ? ['--precisions', 'w1a1,w1a2,w2a2,w4a4', '--widths', '0.5,1,2'] : ['--precisions', 'w1a1,w2a2', '--widths', '0.5,1'];
const evalArgs = issue ? [] : ['--epochs', '5', '--test-limit', '2000', '--rtl-sample', '20'];
const dir = mkdtempSync(join(tmpdir(), 'finn-ts-bench-explore-'));

/** CPU seconds of this process's finished children and their waited-for descendants (Linux /proc; 0 elsewhere). */
function childrenCpu(): number {
  try {
    const f = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[13]) + Number(f[14])) / 100; // cutime + cstime, in clock ticks of 1/100 s
  } catch {
    return 0;
  }
}

function run(workers: number, i: number, extra: string[] = []): { seconds: number; cpu: number; json: string } {
  const out = join(dir, `w${workers}-${i}${extra.length ? '-redis' : ''}`);
  const args = [join(root, 'bin/finn.js'), 'explore', ...extra, '--topology', 'tfc', ...grid, ...evalArgs,
    '--test-dataset', `mnist-idx:${mnist}`, '--workers', String(workers), '--out', out, '-q'];
  const t0 = performance.now(), c0 = childrenCpu();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`finn explore failed:\n${r.stdout}\n${r.stderr}`);
  return { seconds: (performance.now() - t0) / 1000, cpu: childrenCpu() - c0, json: readFileSync(join(out, 'explore.json'), 'utf8') };
}

const sums = { 1: 0, 2: 0 } as Record<1 | 2, number>;
let first: string | null = null;
for (let i = 0; i < rounds; i++) {
  for (const w of [1, 2] as const) {
    const r = run(w, i);
    sums[w] += r.seconds;
    first ??= r.json;
    // CPU / wall: how many cores the run kept busy on average (one worker above 1: parallel work inside a point)
    console.log(`round ${i + 1}, ${w} worker${w > 1 ? 's' : ''}: ${r.seconds.toFixed(1)} s, CPU ${r.cpu.toFixed(0)} s (${(r.cpu / r.seconds).toFixed(2)} cores; load average ${loadavg()[0]!.toFixed(1)})${r.json === first ? '' : '  explore.json DIFFERS'}`);
  }
}
console.log(`speed-up 2 workers vs 1: ${(sums[1] / sums[2]).toFixed(2)}× (${sums[1].toFixed(0)} s vs ${sums[2].toFixed(0)} s over ${rounds} round${rounds > 1 ? 's' : ''})`);

if (process.argv.includes('--four')) {
  const redis = await startRedis({ dir: join(dir, 'redis') });
  const others = [1, 2].map((k) => spawn(process.execPath, [join(root, 'bin/finn.js'), 'worker', '--redis', redis.url, '--name', `other-${k}`], { stdio: 'ignore' }));
  try {
    const r = run(2, 0, ['--redis', redis.url]);
    console.log(`4 workers (2 local + 2 finn worker): ${r.seconds.toFixed(1)} s (load average ${loadavg()[0]!.toFixed(1)})${r.json === first ? '' : '  explore.json DIFFERS'}; 1 worker averaged ${(sums[1] / rounds).toFixed(1)} s`);
  } finally {
    await Promise.all(others.map((w) => stopProcess(w, 10_000)));
    await redis.stop();
  }
}
