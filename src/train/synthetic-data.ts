/**
 * A learnable synthetic stand-in for CIFAR-10 (`finn train --dataset synthetic[:N]`): 32×32 RGB images in 10 classes,
 * generated deterministically from a seed. Every image has a random grey background with pixel noise and one square
 * patch at a random place and size; the class sets the patch's colour (5 colours) and its stripes (horizontal for
 * classes 0-4, vertical for 5-9). Telling the classes apart takes colour and local orientation — work for a small
 * convolutional network, not for a lookup of one pixel.
 */
import { rng, type Rng } from '../util/random.ts';
import { fail } from '../util/errors.ts';
import type { ImageDataset } from '../runtime/datasets.ts';

/** Images of `--dataset synthetic` without a count (the test split: a fifth of that). */
export const SYNTHETIC_DEFAULT_COUNT = 2000;
export const SYNTHETIC_SHAPE = [3, 32, 32] as const;
const PALETTE: readonly (readonly [number, number, number])[] = [[230, 40, 40], [40, 200, 40], [50, 70, 240], [230, 220, 40], [210, 50, 220]];
const SIDE = 32, PERIOD = 4;

const clampByte = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));

/** Draw one image of class `label` into `out` (CHW bytes). */
function drawImage(out: Uint8Array, label: number, r: Rng): void {
  const [red, green, blue] = PALETTE[label % PALETTE.length]!;
  const colour = [red, green, blue];
  const vertical = label >= PALETTE.length;
  const grey = r.int(50, 170), size = r.int(10, 20);
  const y0 = r.int(0, SIDE - size), x0 = r.int(0, SIDE - size), phase = r.int(0, PERIOD - 1);
  for (let y = 0; y < SIDE; y++) for (let x = 0; x < SIDE; x++) {
    const inside = y >= y0 && y < y0 + size && x >= x0 && x < x0 + size;
    const on = inside && ((vertical ? x : y) + phase) % PERIOD < PERIOD / 2;
    for (let c = 0; c < 3; c++) out[(c * SIDE + y) * SIDE + x] = clampByte((on ? colour[c]! : inside ? grey * 0.5 : grey) + 20 * r.normal());
  }
}

/** `count` synthetic images; the split draws from its own stream of the seed (train and test never coincide). */
export function syntheticCifar(count: number, seed: number, split: 'train' | 'test'): ImageDataset {
  if (!Number.isInteger(count) || count < 1) fail('E_USAGE', `a synthetic dataset needs a positive whole number of images, got ${count}`, 'e.g. --dataset synthetic:2000');
  const r = rng((seed * 2 + (split === 'test' ? 1 : 0)) ^ 0x51f15e);
  const per = 3 * SIDE * SIDE;
  const images = new Uint8Array(count * per);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    labels[i] = r.int(0, 9);
    drawImage(images.subarray(i * per, (i + 1) * per), labels[i]!, r);
  }
  return { name: `synthetic:${count} (${split}, seed ${seed})`, count, imageShape: [...SYNTHETIC_SHAPE], images, labels };
}

/** Parse `synthetic` or `synthetic:N`; the default count is SYNTHETIC_DEFAULT_COUNT (a fifth of it for the test split). */
export function loadSynthetic(spec: string, split: 'train' | 'test', seed: number): ImageDataset {
  const m = /^synthetic(?::(.*))?$/.exec(spec);
  if (!m) return fail('E_USAGE', `unknown dataset "${spec}"`, 'use synthetic or synthetic:<images>');
  if (m[1] === undefined) return syntheticCifar(split === 'test' ? SYNTHETIC_DEFAULT_COUNT / 5 : SYNTHETIC_DEFAULT_COUNT, seed, split);
  const n = Number(m[1]);
  if (!/^\d+$/.test(m[1]) || n < 1 || n > 1_000_000) fail('E_USAGE', `synthetic:${m[1]}: the image count must be a whole number from 1 to 1,000,000`, 'e.g. --dataset synthetic:2000');
  return syntheticCifar(n, seed, split);
}
