/** Run the real `finn` command (bin/finn.js) and capture its output and exit code. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './shared.ts';

export interface CliResult { code: number; stdout: string; stderr: string }

export function finn(args: string[], cwd = ROOT): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/finn.js'), ...args], { cwd, encoding: 'utf8', timeout: 600_000 });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
