/** Locates external simulation tools (Verilator) and fails with an install hint when they are missing. */
import { spawnSync } from 'node:child_process';
import { FinnError } from '../util/errors.ts';

/** A located tool: the command to run and its reported version. */
export interface ToolInfo {
  readonly path: string;
  readonly version: string;
}

const INSTALL_HINT =
  'install Verilator 5 (Debian/Ubuntu: `apt-get install -y verilator`; macOS: `brew install verilator`), ' +
  'or pass its path (the CLI reads FINN_VERILATOR=/path/to/verilator)';

/** Finds `verilator` (an explicit path, else the PATH) and returns its version; throws E_TOOL if unusable. */
export function findVerilator(explicitPath?: string): ToolInfo {
  const cmd = explicitPath ?? 'verilator';
  const r = spawnSync(cmd, ['--version'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) {
    const why = r.error ? r.error.message : `exit code ${r.status}: ${r.stderr.trim()}`;
    throw new FinnError('E_TOOL', `Verilator not usable as '${cmd}' (${why})`, INSTALL_HINT);
  }
  const m = /Verilator\s+(\d+)\.(\d+)/.exec(r.stdout);
  if (!m) throw new FinnError('E_TOOL', `'${cmd} --version' printed no Verilator version: ${r.stdout.trim()}`, INSTALL_HINT);
  if (Number(m[1]) < 5) {
    throw new FinnError('E_TOOL', `Verilator ${m[1]}.${m[2]} found at '${cmd}', version 5 or newer needed`, INSTALL_HINT);
  }
  return { path: cmd, version: r.stdout.trim() };
}

/** True when Verilator can be found (for skipping simulation tests on machines without it). */
export function hasVerilator(explicitPath?: string): boolean {
  try {
    findVerilator(explicitPath);
    return true;
  } catch {
    return false;
  }
}
