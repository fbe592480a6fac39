/** Runs `verilator --lint-only -Wall` on Verilog files and returns structured diagnostics. */
import { spawn } from 'node:child_process';
import { trackChild } from '../util/interrupt.ts';
import { findVerilator } from './tools.ts';

/** One Verilator message. */
export interface LintDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly code: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

/** Outcome of a lint run: clean when Verilator exited 0 and reported nothing. */
export interface LintResult {
  readonly clean: boolean;
  readonly diagnostics: readonly LintDiagnostic[];
  readonly output: string;
}

/** Options: top-level parameter overrides (-G) and an explicit Verilator path. */
export interface LintOptions {
  readonly params?: Readonly<Record<string, number | string>>;
  readonly verilator?: string;
}

const DIAG = /^%(Error|Warning)(?:-([A-Z0-9_]+))?:\s*(?:([^:\s][^:]*):(\d+):(?:(\d+):)?)?\s*(.*)$/;

/** Parses Verilator's stderr into diagnostics (continuation lines are dropped). */
export function parseVerilatorMessages(text: string): LintDiagnostic[] {
  const out: LintDiagnostic[] = [];
  for (const line of text.split('\n')) {
    const m = DIAG.exec(line);
    if (!m || m[6].startsWith('Exiting due to')) continue;
    out.push({
      severity: m[1] === 'Error' ? 'error' : 'warning',
      code: m[2] ?? '',
      file: m[3] ?? '',
      line: Number(m[4] ?? 0),
      column: Number(m[5] ?? 0),
      message: m[6],
    });
  }
  return out;
}

/** Renders a -G override: numbers as-is, strings as Verilog string literals. */
export function paramFlag(name: string, value: number | string): string {
  return typeof value === 'number' ? `-G${name}=${value}` : `-G${name}="${value}"`;
}

/** Lints `files` with `top` as the top module under -Wall; resolves with all diagnostics. */
export function lintVerilog(files: readonly string[], top: string, opts: LintOptions = {}): Promise<LintResult> {
  const tool = findVerilator(opts.verilator);
  const params = Object.entries(opts.params ?? {}).map(([k, v]) => paramFlag(k, v));
  const args = ['--lint-only', '-Wall', '--top-module', top, ...params, ...files];
  return new Promise((resolve, reject) => {
    const p = trackChild(spawn(tool.path, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
    let output = '';
    p.stdout.on('data', (d: Buffer) => (output += d.toString()));
    p.stderr.on('data', (d: Buffer) => (output += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => {
      const diagnostics = parseVerilatorMessages(output);
      resolve({ clean: code === 0 && diagnostics.length === 0, diagnostics, output });
    });
  });
}
