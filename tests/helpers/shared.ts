/** Paths to ../shared (CI has it beside the checkout) and small shared test utilities. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SHARED = fileURLToPath(new URL('../../../shared/', import.meta.url));
export const ZOO_W1A1 = join(SHARED, 'models/qonnx-zoo/TFC_1W1A.onnx');
export const ZOO_W2A2 = join(SHARED, 'models/qonnx-zoo/TFC_2W2A.onnx');
export const FINN_TFC = join(SHARED, 'models/finn-tfc-w1a1');
export const MNIST = join(SHARED, 'datasets/mnist');

export function tempDir(tag: string): string {
  return mkdtempSync(join(tmpdir(), `finn-ts-${tag}-`));
}
