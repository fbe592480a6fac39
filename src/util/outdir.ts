/** An output directory that refuses to write outside itself (names from models are untrusted). */
import { accessSync, constants, existsSync, mkdirSync, statSync, statfsSync, writeFileSync } from 'node:fs';
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

/** statfs magic numbers of kernel pseudo-filesystems (proc, sysfs, debugfs, cgroup, cgroup2, devpts, securityfs, tracefs, configfs, bpf). */
const PSEUDO_FS = new Set([0x9fa0, 0x62656572, 0x64626720, 0x27e0eb, 0x63677270, 0x1cd1, 0x73636673, 0x74726163, 0x62656570, 0xcafe4a11]);

/**
 * Check, before anything is written, that `root` can be an output directory: not an existing file, not under a file,
 * not on a kernel pseudo-filesystem (/proc, /sys), and writable. Typed errors, never a hang or a stack trace.
 */
export function checkOutputDir(root: string, flag = '--out'): void {
  const abs = resolve(root);
  let probe = abs;
  while (!existsSync(probe)) probe = dirname(probe);
  const st = statSync(probe);
  if (!st.isDirectory()) {
    fail('E_FILE', probe === abs ? `${flag} ${root} is a file, not a directory` : `${flag} ${root}: ${probe} is a file, not a directory`, 'choose a new or empty directory');
  }
  let type = -1;
  try { type = Number(statfsSync(probe).type); } catch { /* no statfs here: the write check below still applies */ }
  if (PSEUDO_FS.has(type)) fail('E_FILE', `${flag} ${root} is on a kernel pseudo-filesystem (${probe}), where build files cannot be written`, 'choose a directory on a real disk');
  try { accessSync(probe, constants.W_OK); } catch {
    fail('E_FILE', `${flag} ${root}: ${probe} is not writable`, 'choose a directory you can write to');
  }
}
