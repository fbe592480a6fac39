/**
 * A point's directory as one string, so a worker on another machine can hand its files back through the job's
 * return value (no shared filesystem needed): gzip of [relative path, base64 bytes] pairs, sorted by path.
 */
import { readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { join, relative, sep } from 'node:path';
import { gunzipSync, gzip } from 'node:zlib';
import { outDir } from '../util/outdir.ts';
import { fail } from '../util/errors.ts';

function walk(root: string, dir = root): string[] {
  return readdirSync(dir).sort().flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(root, p) : [relative(root, p).split(sep).join('/')];
  });
}

/** Asynchronous, so a worker keeps renewing its job's lock while it packs megabytes. */
export async function packDir(dir: string): Promise<string> {
  const entries = await Promise.all(walk(dir).map(async (rel) => [rel, (await readFile(join(dir, rel))).toString('base64')]));
  // level 1: a third of the default level's CPU (an explore point: 0.13 s vs 0.45 s) for 12 % more bytes
  return (await promisify(gzip)(JSON.stringify(entries), { level: 1 })).toString('base64');
}

/** Write a packed directory into `dir` (every path confined to it); returns the number of files. */
export function unpackDir(packed: string, dir: string): number {
  let entries: unknown;
  try { entries = JSON.parse(gunzipSync(Buffer.from(packed, 'base64')).toString('utf8')); } catch (e) { return fail('E_INTERNAL', `a worker returned unreadable files: ${(e as Error).message}`); }
  if (!Array.isArray(entries)) fail('E_INTERNAL', 'a worker returned unreadable files');
  const out = outDir(dir);
  for (const [rel, b64] of entries as [string, string][]) out.write(rel, Buffer.from(b64, 'base64'));
  return entries.length;
}
