/** nextpnr-ice40 and icepack from npm (@yowasp/nextpnr-ice40, WebAssembly): place, route, time and pack a bitstream. */
import { Worker } from 'node:worker_threads';
import { FinnError, fail } from '../util/errors.ts';
import type { FpgaPart } from '../cost/parts.ts';
import { progressTracker, type ProgressFn } from './progress.ts';

/** A tool failure that keeps the tool's log. */
export class ToolError extends FinnError {
  readonly log: string;
  constructor(message: string, hint: string, log: string) {
    super('E_TOOL', message, hint);
    this.log = log;
  }
}

export interface Ice40Device {
  /** nextpnr device flag, e.g. --up5k. */
  readonly flag: string;
  readonly package: string;
}

/** nextpnr device and package for an iCE40 part (package from the part's full name, e.g. up5k-sg48). */
export function ice40Device(part: FpgaPart): Ice40Device {
  if (part.family !== 'ice40') fail('E_PART', `${part.name} is not an iCE40 part`);
  const [dev, pkg] = part.fullName.split('-');
  if (!dev || !pkg) fail('E_PART', `cannot tell device and package from ${part.fullName}`);
  return { flag: `--${dev}`, package: pkg };
}

export interface PnrUtilization { used: number; available: number }

export interface PnrResult {
  readonly asc: string;
  readonly bitstream: Uint8Array;
  readonly log: string;
  /** nextpnr's JSON report (utilization per bel type, fmax per clock, critical paths). */
  readonly report: NextpnrReport;
  readonly pnrSeconds: number;
  readonly packSeconds: number;
  readonly args: readonly string[];
}

export interface NextpnrReport {
  utilization: Record<string, PnrUtilization>;
  fmax: Record<string, { achieved: number; constraint: number }>;
  critical_paths?: unknown[];
}

/** Run nextpnr-ice40 or icepack in a worker thread (nextpnr-worker.mjs): the main thread keeps handling interrupts. */
function run(name: 'nextpnr-ice40' | 'icepack', args: string[], files: Record<string, string | Uint8Array>, onLine?: (l: string) => void): Promise<{ files: Record<string, unknown>; log: string }> {
  return new Promise((resolve, reject) => {
    const w = new Worker(new URL('./nextpnr-worker.mjs', import.meta.url));
    let settled = false;
    const failWith = (message: string, log: string): void => {
      settled = true;
      const errs = log.split('\n').filter((l) => /ERROR|error:/i.test(l)).slice(0, 8).join('\n');
      reject(new ToolError(`${name} failed: ${errs || message}`, name === 'nextpnr-ice40' ? 'the design may not fit the part: see report/synth/nextpnr.log and report/post_synth_resources.json' : '', log));
    };
    w.on('message', (m: { line?: string; done?: { files: Record<string, unknown>; log: string }; error?: { message: string; log: string } }) => {
      if (m.line !== undefined) onLine?.(m.line);
      else if (m.done) { settled = true; resolve(m.done); void w.terminate(); }
      else if (m.error) { failWith(m.error.message, m.error.log); void w.terminate(); }
    });
    w.on('error', (e) => { if (!settled) failWith(e.message, ''); });
    w.on('exit', (code) => { if (!settled) failWith(`worker exited with code ${code}`, ''); });
    w.postMessage({ tool: name, args, files });
  });
}

const bytes = (v: unknown): Uint8Array => (typeof v === 'string' ? new TextEncoder().encode(v) : v instanceof Uint8Array ? v : new Uint8Array());
const text = (v: unknown): string => (typeof v === 'string' ? v : v instanceof Uint8Array ? new TextDecoder().decode(v) : '');

export interface PnrOptions {
  readonly part: FpgaPart;
  /** Target clock for timing-driven placement and routing (MHz). */
  readonly freqMhz: number;
  readonly seed?: number;
  /** A PCF pin constraints file's text; without it, nextpnr places the I/O freely (--pcf-allow-unconstrained). */
  readonly pcf?: string;
  readonly top: string;
  readonly onProgress?: ProgressFn;
  readonly progressRange?: readonly [number, number];
  /** Placer: nextpnr's default analytic placer (heap) or simulated annealing (sa). */
  readonly placer?: 'heap' | 'sa';
}

/** Place and route a Yosys JSON netlist and pack the bitstream. */
export async function placeAndRoute(netlistJson: string, o: PnrOptions): Promise<PnrResult> {
  return placeAndRouteWith(netlistJson, o, o.placer ?? 'heap');
}

async function placeAndRouteWith(netlistJson: string, o: PnrOptions, placer: 'heap' | 'sa'): Promise<PnrResult> {
  const dev = ice40Device(o.part);
  const args = [dev.flag, '--package', dev.package, '--json', 'design.json', '--top', o.top, '--asc', 'design.asc', '--report', 'report.json',
    '--freq', String(o.freqMhz), '--seed', String(o.seed ?? 1), '--timing-allow-fail', '--placer', placer];
  const files: Record<string, string> = { 'design.json': netlistJson };
  if (o.pcf !== undefined) { files['design.pcf'] = o.pcf; args.push('--pcf', 'design.pcf'); } else args.push('--pcf-allow-unconstrained');
  const [from, to] = o.progressRange ?? [0, 100];
  o.onProgress?.({ stage: 'nextpnr', pass: 'start', percent: from, seconds: 0 });
  const t0 = performance.now();
  const pnr = await run('nextpnr-ice40', args, files, progressTracker('nextpnr', 'nextpnr', o.onProgress, from, to));
  const pnrSeconds = (performance.now() - t0) / 1000;
  const asc = text(pnr.files['design.asc']);
  const reportText = text(pnr.files['report.json']);
  if (!asc || !reportText) fail('E_TOOL', 'nextpnr-ice40 wrote no bitstream/report', 'see report/synth/nextpnr.log');
  const report = JSON.parse(reportText) as NextpnrReport;
  o.onProgress?.({ stage: 'icepack', pass: 'pack', percent: to, seconds: pnrSeconds });
  const t1 = performance.now();
  const pack = await run('icepack', ['design.asc', 'design.bin'], { 'design.asc': asc });
  const bitstream = bytes(pack.files['design.bin']);
  if (bitstream.length === 0) fail('E_TOOL', 'icepack wrote no bitstream');
  return { asc, bitstream, log: pnr.log + pack.log, report, pnrSeconds, packSeconds: (performance.now() - t1) / 1000, args };
}
