/**
 * The hand-written Verilog cores in this directory. A core is `src/rtl/<name>.v` holding `module <name>`; the files
 * it needs are found by following its instantiations of other `finn_*` modules, so a new layer's core needs no list.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { fail } from '../util/errors.ts';

/** Absolute path of src/rtl (where the .v cores live). */
export const RTL_DIR = dirname(fileURLToPath(import.meta.url));

/** A core's module name (= its file name without .v). */
export type CoreName = string;

/** Cores the backend itself instantiates (stream infrastructure), whatever the layers are. */
export const INFRA_CORES = ['finn_dwc', 'finn_fifo', 'finn_throttle', 'finn_fifo_gate'] as const;

const INSTANCE = /^\s*(finn_\w+)\s*(?:#\s*\(|\w+\s*\()/gm;

/** Absolute paths of the Verilog files a core needs: itself and every finn_* module it instantiates, recursively. */
export function coreFiles(name: CoreName): string[] {
  const seen = new Set<string>();
  const visit = (m: string): void => {
    if (seen.has(m)) return;
    const file = join(RTL_DIR, `${m}.v`);
    if (!/^finn_\w+$/.test(m) || !existsSync(file)) fail('E_INTERNAL', `Verilog core ${m} not found (expected ${file})`);
    seen.add(m);
    for (const hit of readFileSync(file, 'utf8').matchAll(INSTANCE)) if (hit[1] !== m) visit(hit[1]!);
  };
  visit(name);
  return [...seen].map((m) => join(RTL_DIR, `${m}.v`));
}

/** Absolute paths of the files needed by several cores, without duplicates, sorted. */
export function coreFilesFor(names: Iterable<CoreName>): string[] {
  return [...new Set([...names].flatMap(coreFiles))].sort();
}
