/** What the host does to an input before streaming it: the layout change recorded by hw/absorb-input-transpose. */
import type { Graph } from '../ir/graph.ts';
import { transpose } from '../ir/tensor.ts';

/** The frame in the element order the graph's input expects (pixels as given, e.g. NCHW from a dataset). */
export function hostFrame(g: Graph, pixels: ArrayLike<number>): Float64Array {
  const perm = g.meta.host_input_perm;
  const shape = g.meta.host_input_shape;
  if (!perm || !shape) return Float64Array.from(pixels);
  const src = { shape: shape.split(',').map(Number), data: Float64Array.from(pixels) };
  return transpose(src, perm.split(',').map(Number)).data;
}
