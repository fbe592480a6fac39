/** An output directory that refuses to write outside itself (names from models are untrusted). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { fail } from './errors.ts';

export interface OutDir {
  readonly root: string;
  /** Absolute path of a file inside the directory; throws if `rel` escapes it. */
  path(rel: string): string;
  write(rel: string, data: string | Uint8Array): string;
  writeJson(rel: string, value: unknown): string;
  /** The same kind of directory rooted at a subdirectory (still confined to this one). */
  sub(rel: string): OutDir;
}

export function outDir(root: string): OutDir {
  const abs = resolve(root);
  const path = (rel: string): string => {
    const p = resolve(abs, rel);
    const r = relative(abs, p);
    if (r === '' || r.startsWith('..') || isAbsolute(r)) fail('E_FILE', `refusing to write "${rel}" outside the output directory ${abs}`);
    return p;
  };
  return {
    root: abs,
    path,
    write(rel, data) {
      const p = path(rel);
      mkdirSync(dirname(p), { recursive: true });
      writeFileSync(p, data);
      return p;
    },
    writeJson(rel, value) {
      return this.write(rel, `${JSON.stringify(value, null, 2)}\n`);
    },
    sub(rel) {
      return outDir(path(rel));
    },
  };
}
