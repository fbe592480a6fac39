/** Infer every tensor's shape by running the graph once on zeros of the declared input shapes. */
import type { Graph, TensorInfo } from '../../ir/graph.ts';
import { tensor } from '../../ir/tensor.ts';
import { execute } from '../../exec/run.ts';
import { makeGraph } from '../../ir/builder.ts';
import { fail } from '../../util/errors.ts';
import type { Pass } from '../pass.ts';

const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((d, i) => d === b[i]);

export const inferShapes: Pass = {
  name: 'tidy/infer-shapes',
  summary: 'set the shape of every tensor from one execution on zeros',
  run(g: Graph): Graph {
    const feeds: Record<string, ReturnType<typeof tensor>> = {};
    for (const name of g.inputs) {
      const shape = g.tensors.get(name)!.shape;
      if (shape.length === 0) fail('E_SHAPE', `graph input "${name}" has no shape`, 'export the model with a fixed input shape');
      feeds[name] = tensor(shape);
    }
    const env = execute(g, feeds, { keepAll: true });
    let changed = false;
    const tensors = new Map<string, TensorInfo>();
    for (const [name, info] of g.tensors) {
      const v = env.get(name);
      if (v && !info.value && !sameShape(v.shape, info.shape)) {
        tensors.set(name, { ...info, shape: v.shape });
        changed = true;
      } else tensors.set(name, info);
    }
    return changed ? makeGraph({ ...g, tensors }) : g;
  },
};
