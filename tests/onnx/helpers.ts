/** Shared test helpers for the ONNX/file I/O tests. */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { FinnError } from '../../src/util/errors.ts';

/** Absolute path of a file under ../shared (next to the repository). */
export const shared = (p: string): string => fileURLToPath(new URL(`../../../shared/${p}`, import.meta.url));

/** Assert that `f` throws a FinnError with `code` and a message matching every pattern. */
export function assertFinnError(f: () => unknown, code: string, ...patterns: (string | RegExp)[]): FinnError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof FinnError, `expected FinnError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const p of patterns) {
      if (typeof p === 'string') assert.ok(e.message.includes(p), `message lacks "${p}": ${e.message}`);
      else assert.match(e.message, p);
    }
    return e;
  }
  assert.fail(`expected ${code} to be thrown`);
}
