/** Yosys from npm (WebAssembly): runs on a copy of rtl/ in a virtual file system, no install needed. */
import { runYosys } from '@yowasp/yosys';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { FinnError } from '../util/errors.ts';

export interface YosysRun {
  readonly log: string;
  readonly files: Record<string, string>;
  readonly seconds: number;
}

/** Run a Yosys script over the files of `dir` (flat); returns its log and the text files it wrote. */
export async function yosys(dir: string, script: string): Promise<YosysRun> {
  const files: Record<string, string> = {};
  for (const f of readdirSync(dir)) files[f] = readFileSync(join(dir, f), 'utf8');
  let log = '';
  const dec = new TextDecoder();
  const sink = (b: Uint8Array | null): void => { if (b) log += dec.decode(b); };
  const t0 = performance.now();
  try {
    const out = (await runYosys(['-p', script], files, { stdout: sink, stderr: sink })) ?? {};
    const texts: Record<string, string> = {};
    for (const [k, v] of Object.entries(out)) if (typeof v === 'string' && !(k in files)) texts[k] = v;
    return { log, files: texts, seconds: (performance.now() - t0) / 1000 };
  } catch (e) {
    const errs = log.split('\n').filter((l) => /ERROR|Error/.test(l)).slice(0, 10).join('\n');
    throw new FinnError('E_TOOL', `yosys failed on ${dir}: ${errs || (e as Error).message}`);
  }
}

/** read_verilog + hierarchy -check on a design's file list. */
export async function yosysCheck(dir: string, top: string): Promise<YosysRun> {
  const srcs = readFileSync(join(dir, 'filelist.f'), 'utf8').trim().split('\n');
  return yosys(dir, `read_verilog ${srcs.join(' ')}; hierarchy -check -top ${top}`);
}
