/**
 * One fuzz case: a seeded mutation of a seed model (bytes or structure), written to a sandbox and compiled by the
 * real pipeline — build()'s steps from import through estimate (tidy, contracts, qonnx-to-finn, streamline, to-hw, fold,
 * estimate), for hostile names and one case in 8 through rtl (Verilog and memory images written into the sandbox's
 * output directory); the final graph is written with the ONNX writer. The outcome is success or the
 * FinnError's code; anything else is a crash, as are E_INTERNAL and E_PASS (a pass that threw or broke the graph).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { STEPS, type BuildContext, type BuildOptions } from '../build.ts';
import { findPart } from '../cost/parts.ts';
import { readModel } from '../onnx/read.ts';
import { STEP_NAMES } from '../step-names.ts';
import { outDir } from '../util/outdir.ts';
import { syntheticQonnxMlp } from '../models/synthetic.ts';
import { encodeModel } from '../onnx/write.ts';
import { FinnError } from '../util/errors.ts';
import { rng } from '../util/random.ts';
import { BYTE_MUTATIONS, mutateBytes } from './bytes.ts';
import { STRUCT_MUTATIONS, mutateStructure } from './structure.ts';

export interface SeedModel { readonly name: string; readonly bytes: Uint8Array }

/** Seed models: small synthetic QONNX MLPs (cheap, most cases) and real model files. */
export function seedModels(files: readonly string[]): SeedModel[] {
  const synth = [
    { name: 'mlp-16-8-4-w1a1', bytes: encodeModel(syntheticQonnxMlp({ sizes: [16, 8, 4], wbits: 1, abits: 1, seed: 1 })) },
    { name: 'mlp-12-6-3-w2a2', bytes: encodeModel(syntheticQonnxMlp({ sizes: [12, 6, 3], wbits: 2, abits: 2, seed: 2 })) },
    { name: 'mlp-784-16-10-w1a1', bytes: encodeModel(syntheticQonnxMlp({ sizes: [784, 16, 10], wbits: 1, abits: 1, seed: 3 })) },
  ];
  return [...synth, ...files.map((f) => ({ name: f.slice(f.lastIndexOf('/') + 1), bytes: new Uint8Array(readFileSync(f)) }))];
}

export interface CaseSpec { readonly seed: number; readonly index: number }

export interface CaseInput { readonly kind: string; readonly model: string; readonly bytes: Uint8Array; readonly rtl: boolean }

/** The mutated model of case `index` (deterministic in seed and index); real models are picked 1 time in 8. */
export function makeCase(seeds: readonly SeedModel[], c: CaseSpec): CaseInput {
  const r = rng((c.seed * 1000003 + c.index * 7919) >>> 0);
  // 3 in 4 cases on the tiny MLPs (cheap to compile), 1 in 8 on the 784-input MLP, 1 in 8 on the real models
  const x = r.next(), real = seeds.slice(3);
  const base = real.length && x < 0.125 ? r.pick(real) : x < 0.25 ? seeds[2]! : r.pick(seeds.slice(0, 2));
  const rtl = r.next() < 0.125;
  if (r.next() < 0.5) {
    const k = r.pick(BYTE_MUTATIONS);
    return { kind: `bytes:${k}`, model: base.name, bytes: mutateBytes(r, k, base.bytes, r.pick(seeds).bytes), rtl };
  }
  // huge graphs take seconds each: one structural case in 200
  const k = r.next() < 0.005 ? 'many-nodes' : r.pick(STRUCT_MUTATIONS.filter((m) => m !== 'many-nodes'));
  return { kind: `struct:${k}`, model: base.name, bytes: mutateStructure(r, k, base.bytes), rtl };
}

export type Outcome = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly message: string; readonly typed: boolean };

const OPTS: BuildOptions = {
  model: '', out: '', part: 'xc7z020', clockNs: 10, targetFps: 100000, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {},
};

/**
 * build()'s steps from import through `to` (estimate, or rtl), the last graph written with the ONNX writer as build()
 * writes its intermediate models; run here so that a crash keeps its stack (build() turns it into E_INTERNAL).
 */
async function pipeline(model: string, out: string, to: 'estimate' | 'rtl'): Promise<void> {
  let g = readModel(model);
  const o = outDir(out);
  const ctx: BuildContext = { opts: { ...OPTS, model, out }, part: findPart(OPTS.part), out: o, pass: { log: () => {} } };
  let last = 'import';
  for (const step of STEPS.slice(0, STEP_NAMES.indexOf(to) + 1)) {
    g = await step.run(g, ctx);
    last = step.name;
  }
  o.write(`intermediate_models/${last}.onnx`, encodeModel(g));
}

/** Compile a case's model in `dir` (input file and output directory inside it). */
export async function runCase(input: CaseInput, dir: string): Promise<Outcome> {
  // every hostile-name case and one in 8 of the others also write the Verilog and memory images
  const to = input.kind === 'struct:hostile-name' || input.rtl ? 'rtl' : 'estimate';
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const model = join(dir, 'in.onnx');
  writeFileSync(model, input.bytes);
  try {
    await pipeline(model, join(dir, 'out'), to);
    return { ok: true };
  } catch (e) {
    if (e instanceof FinnError) return { ok: false, code: e.code, message: e.message.slice(0, 300), typed: e.code !== 'E_INTERNAL' && e.code !== 'E_PASS' };
    return { ok: false, code: (e as Error)?.name ?? 'throw', message: String((e as Error)?.stack ?? e).slice(0, 1500), typed: false };
  }
}
