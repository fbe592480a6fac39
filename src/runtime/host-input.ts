/**
 * What the host does to an input before streaming it: the input contract (scale, quantize) and the layout change
 * recorded by hw/absorb-input-transpose.
 */
import type { Graph } from '../ir/graph.ts';
import { contractOf, hostInput, hostLayout } from './contract.ts';

/**
 * The frame in the order and encoding the graph's input expects, from a sample in the original model's layout:
 * `pixels` are raw 0–255 pixels (image datasets), `model` values are what the original model takes (npz/npy data).
 * Graphs without a contract (built before contracts existed) take pixels as they are.
 */
export function acceleratorFrame(g: Graph, sample: ArrayLike<number>, form: 'pixels' | 'model' = 'pixels'): Float64Array {
  const c = contractOf(g)?.input;
  if (!c) return hostLayout(g, Float64Array.from(sample));
  let x = Float64Array.from(sample);
  // raw pixels are the model's input when it scales them itself (or takes integers), else pixels / 255
  if (form === 'pixels' && !(c.kind === 'integer' || c.kind === 'hardware' || (c.kind === 'image' && !c.affine))) x = x.map((v) => v / 255);
  return hostLayout(g, c.kind === 'integer' || c.kind === 'hardware' ? x : hostInput(c, x));
}

/** A frame in the host's layout → the graph input's order (layout only, no contract). */
export function hostFrame(g: Graph, values: ArrayLike<number>): Float64Array {
  return hostLayout(g, Float64Array.from(values));
}

/** The input frame of sample i for a graph: builds follow their contract; imported models take pixels (raw or /255) or the values as given. */
export function datasetFrame(g: Graph, ds: { images: ArrayLike<number> & { subarray(a: number, b: number): ArrayLike<number> }; form?: 'pixels' | 'model'; count: number; imageShape?: readonly number[] }, i: number, scale: 'raw' | 'unit'): Float64Array {
  // a sample's size from its shape (a dataset may be a prefix view: count smaller than the images it holds)
  const per = ds.imageShape ? ds.imageShape.reduce((a, b) => a * b, 1) : ds.images.length / ds.count;
  const sample = ds.images.subarray(i * per, (i + 1) * per);
  if (contractOf(g)) return acceleratorFrame(g, sample, ds.form ?? 'pixels');
  if (ds.form === 'model' || scale === 'raw') return hostFrame(g, sample);
  return hostFrame(g, Float64Array.from(sample, (v) => v / 255));
}
