/**
 * The branching and depthwise layers stitched: a FINN-style residual block and a pooling fork/join (tests/helpers/
 * residual-graph.ts) imported from ONNX, written as RTL (FIFO and width converter on every edge, multi-port wrappers),
 * co-simulated with random stalls against the reference executor, every layer alone too, and without stalls for
 * throughput (between the words of the busiest port and the slowest layer's cycles()).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { decodeModel } from '../../src/onnx/read.ts';
import { encodeModel } from '../../src/onnx/write.ts';
import { designOf } from '../../src/backend/design.ts';
import { writeRtl } from '../../src/backend/write-rtl.ts';
import { verifyDesign, verifyInputs } from '../../src/backend/verify.ts';
import { lintVerilog } from '../../src/sim/lint.ts';
import { outDir } from '../../src/util/outdir.ts';
import { residualGraph } from '../helpers/residual-graph.ts';
import { tempDir } from '../helpers/shared.ts';

test('residual block + pooling fork/join from ONNX: lint-clean stitched RTL, 0 mismatches with stalls, every layer bit-exact, throughput between the busiest port and the estimate', async () => {
  const g = decodeModel(encodeModel(residualGraph()), 'residual.onnx');
  const d = designOf(g);
  const out = outDir(tempDir('residual-rtl'));
  const files = writeRtl(d, out);
  const lint = await lintVerilog(files.sources, d.top);
  assert.ok(lint.clean, lint.output);
  const inputs = verifyInputs(g, undefined, 24, 17);
  const res = await verifyDesign(g, d, files, out, inputs, { cacheDir: join(tmpdir(), 'finn-ts-verilator'), seed: 17, stallProb: 0.3, log: () => {} }, 100);
  for (const s of res.stages) assert.equal(s.mismatches, 0, `${s.stage}: ${JSON.stringify(s.first_divergence)}`);
  // the bottleneck is the first sliding window (FINN's estimate is an upper bound for finn_swg); no layer can beat
  // the words it moves per frame
  const perf = res.performance;
  const words = Math.max(...d.layers.flatMap((l) => [...l.inputs, ...l.outputs].map((s) => s.wordsPerFrame)));
  assert.ok(perf.cycles_per_frame! <= perf.estimated_max_cycles! && perf.cycles_per_frame! >= words,
    `${perf.cycles_per_frame} cycles/frame: estimate ${perf.estimated_max_cycles}, ${words} words through the busiest port`);
});
