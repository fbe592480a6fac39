/** Bundle the page's script (browser.ts and the compiler code it imports) with esbuild, once per process. */
import { buildSync } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FinnError } from '../util/errors.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '../..');
let cached: string | null = null;

/** The explorer script as one minified IIFE (deterministic: same sources and esbuild version → same bytes). */
export function browserBundle(): string {
  if (cached !== null) return cached;
  let r;
  try {
    r = buildSync({
      entryPoints: [join(HERE, 'browser.ts')],
      absWorkingDir: ROOT,
      bundle: true,
      write: false,
      format: 'iife',
      platform: 'browser',
      target: ['es2020'],
      minify: true,
      legalComments: 'none',
      charset: 'utf8',
      sourcemap: false,
      logLevel: 'silent',
    });
  } catch (e) {
    throw new FinnError('E_INTERNAL', `cannot bundle the report's script with esbuild: ${(e as Error).message}`, 'reinstall dependencies (npm ci)');
  }
  cached = r.outputFiles[0]!.text;
  return cached;
}
