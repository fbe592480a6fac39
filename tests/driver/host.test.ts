/** Host packing (driver/host.ts, driver/pynq/finn_ts_packing.py) against the stream format the RTL testbench uses. */
import { build } from '../../src/build.ts';
import { writeModel } from '../../src/onnx/write.ts';
import { jetMlp } from '../../src/models/patterns.ts';
import { contractOf, hostOutput } from '../../src/runtime/contract.ts';
import { acceleratorFrame } from '../../src/runtime/host-input.ts';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeWords } from '../../src/hw/encode.ts';
import type { ElemCode } from '../../src/hw/layer.ts';
import { bytesToWords, inputWords, ioSpec, packInput, packOutput, unpackInput, unpackOutput, wordsToBytes, type IoSpec, type StreamSpec } from '../../src/driver/host.ts';
import { ioShapeDict, writeDriver } from '../../src/driver/pynq.ts';
import { loadBuildDir } from '../../src/synth/build-dir.ts';
import { rng } from '../../src/util/random.ts';
import { compileGraph } from '../../src/exec/run.ts';
import { compileModel, runChannels } from '../../src/sim/verilator.ts';
import { ice40TopVerilog, ICE40_TOP, ICE40_TOP_FILE } from '../../src/synth/board.ts';
import { smallBuild } from '../synth/helpers.ts';
import { tempDir } from '../helpers/shared.ts';

const PY_DIR = join(dirname(fileURLToPath(import.meta.url)), '../../src/driver/pynq');

function stream(elem: ElemCode, words: number, per: number): StreamSpec {
  const width = per * elem.bits;
  const padded = Math.ceil(width / 8) * 8;
  return { dtype: elem.bipolar ? 'BIPOLAR' : `${elem.signed ? 'INT' : 'UINT'}${elem.bits}`, elem, shapeNormal: [words * per], shapeFolded: [words, per], shapePacked: [words, padded / 8], width, paddedWidth: padded };
}

const CODES: readonly [string, ElemCode, number, number][] = [
  ['BIPOLAR, 7 per word (7 bits → 1 byte)', { bits: 1, signed: false, bipolar: true }, 5, 7],
  ['INT3, 7 per word (21 bits → 3 bytes)', { bits: 3, signed: true, bipolar: false }, 4, 7],
  ['UINT8, 49 per word (392 bits)', { bits: 8, signed: false, bipolar: false }, 16, 49],
  ['INT4, 1 per word (4 bits → 1 byte)', { bits: 4, signed: true, bipolar: false }, 10, 1],
  ['UINT1, 64 per word', { bits: 1, signed: false, bipolar: false }, 2, 64],
];

function randomFrames(s: StreamSpec, n: number, seed: number): number[][] {
  const r = rng(seed);
  const e = s.elem;
  const [lo, hi] = e.bipolar ? [0, 1] : e.signed ? [-(2 ** (e.bits - 1)), 2 ** (e.bits - 1) - 1] : [0, 2 ** e.bits - 1];
  return Array.from({ length: n }, () => Array.from({ length: s.shapeFolded[0] * s.shapeFolded[1] }, () => (e.bipolar ? (r.int(0, 1) ? 1 : -1) : r.int(lo, hi))));
}

for (const [name, elem, words, per] of CODES) {
  test(`packing round-trips and equals the testbench words: ${name}`, () => {
    const s = stream(elem, words, per);
    const spec: IoSpec = { input: s, output: s };
    const frames = randomFrames(s, 3, words * 31 + per);
    const bytes = packInput(spec, frames);
    assert.equal(bytes.length, 3 * words * s.shapePacked[1]);
    // the bytes are the testbench's words (hw/encode.ts), little-endian, padded to bytes
    const tb = frames.flatMap((f) => encodeWords(f, per, elem));
    assert.deepEqual(bytesToWords(bytes, s.shapePacked[1], s.width), tb);
    assert.deepEqual(inputWords(spec, frames), tb);
    assert.deepEqual(unpackInput(spec, bytes), frames);
    assert.deepEqual(unpackOutput(spec, packOutput(spec, frames)), frames);
    // padding bits are ignored when unpacking
    if (s.paddedWidth > s.width) {
      const dirty = Uint8Array.from(bytes);
      for (let w = 0; w < dirty.length / s.shapePacked[1]; w++) dirty[(w + 1) * s.shapePacked[1] - 1]! |= 0x80;
      assert.deepEqual(unpackOutput(spec, dirty), frames);
    }
  });
}

test('byte order: element 0 in the low bits of byte 0, words little-endian', () => {
  assert.deepEqual([...wordsToBytes([0x0102n, 0xa0b0n], 2)], [0x02, 0x01, 0xb0, 0xa0]);
  const s = stream({ bits: 4, signed: false, bipolar: false }, 1, 3);
  assert.deepEqual([...packInput({ input: s, output: s }, [[1, 2, 3]])], [0x21, 0x03]);
  assert.throws(() => packInput({ input: s, output: s }, [[1, 2]]), /frame 0 has 2 values, the accelerator takes 3/);
  assert.throws(() => packInput({ input: s, output: s }, [[1, 2, 16]]), /does not fit in 4 bits/);
});

// Debian's python3 with python3-numpy (installed by .ci/run), else whatever python3 is on PATH
const PY = existsSync('/usr/bin/python3') && spawnSync('/usr/bin/python3', ['-c', 'import numpy']).status === 0 ? '/usr/bin/python3' : 'python3';

test('the PYNQ driver\'s numpy packing produces the same bytes and values', () => {
  const dir = tempDir('pypack');
  const cases = CODES.map(([, elem, words, per], i) => {
    const s = stream(elem, words, per);
    const frames = randomFrames(s, 2, 100 + i);
    return { spec: ioShapeDict({ input: s, output: s }, { mhz: 100, source: 'test' }).input, frames, bytes: [...packInput({ input: s, output: s }, frames)] };
  });
  writeFileSync(join(dir, 'cases.json'), JSON.stringify(cases));
  const script = `import json, sys\nimport numpy as np\nsys.path.insert(0, ${JSON.stringify(PY_DIR)})\nimport finn_ts_packing as p\nout = []\nfor c in json.load(open(${JSON.stringify(join(dir, 'cases.json'))})):\n    s = c["spec"]\n    x = np.array(c["frames"]).reshape((len(c["frames"]),) + tuple(s["shape_normal"]))\n    b = p.pack_input(x, s)\n    y = p.unpack_output(np.array(c["bytes"], dtype=np.uint8).reshape((len(c["frames"]),) + tuple(s["shape_packed"])), s)\n    out.append({"bytes": b.reshape(-1).tolist(), "values": y.reshape(len(c["frames"]), -1).tolist()})\nprint(json.dumps(out))\n`;
  const r = spawnSync(PY, ['-c', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const got = JSON.parse(r.stdout) as { bytes: number[]; values: number[][] }[];
  got.forEach((g, i) => {
    assert.deepEqual(g.bytes, cases[i]!.bytes, `case ${i} bytes`);
    assert.deepEqual(g.values, cases[i]!.frames, `case ${i} values`);
  });
});

test('driver/ for a build: FINN\'s io_shape_dict keys, the build\'s clock, shapes from the design', async () => {
  const dir = await smallBuild('driver', { to: 'rtl', clockNs: 8 });
  const files = writeDriver(dir);
  assert.deepEqual(files.map((f) => f.slice(f.indexOf('driver/'))).sort(), ['driver/driver.py', 'driver/driver_base.py', 'driver/finn_ts_packing.py']);
  const b = loadBuildDir(dir);
  const spec = ioSpec(b.graph, b.design);
  const text = (await import('node:fs')).readFileSync(files[0]!, 'utf8');
  for (const k of ['idt', 'odt', 'ishape_normal', 'oshape_normal', 'ishape_folded', 'oshape_folded', 'ishape_packed', 'oshape_packed', 'input_dma_name', 'output_dma_name', 'number_of_external_weights']) assert.match(text, new RegExp(`"${k}": `));
  assert.match(text, /"fclk_mhz": 125,/);
  assert.match(text, /choices=\["execute", "throughput_test"\]/);
  assert.deepEqual(spec.input.shapeFolded, [16, 4]);
  assert.deepEqual(spec.input.shapePacked, [16, 4]);
  assert.equal(writeDriver(dir).length, 3);
  assert.equal(spawnSync(PY, ['-m', 'py_compile', ...files], { encoding: 'utf8' }).status, 0);
});

test('bytes from packInput through the RTL (byte-stream iCE40 top, Verilator) decode with unpackOutput to the reference outputs',
  async () => {
    const dir = await smallBuild('host-rtl', { to: 'rtl' });
    const b = loadBuildDir(dir);
    const spec = ioSpec(b.graph, b.design);
    const r = rng(3);
    const frames = Array.from({ length: 12 }, () => Array.from({ length: 64 }, () => r.int(0, 255)));
    const run = compileGraph(b.graph);
    const info = b.graph.tensors.get(b.graph.inputs[0]!)!;
    const expected = frames.map((f) => Array.from(run({ [b.graph.inputs[0]!]: { shape: info.shape, data: Float64Array.from(f) } }).get(b.graph.outputs[0]!)!.data));
    writeFileSync(join(b.rtlDir, '..', ICE40_TOP_FILE), ice40TopVerilog(b.design));
    const m = await compileModel({
      sources: [...b.sources.map((s) => join(b.rtlDir, s)), join(b.rtlDir, '..', ICE40_TOP_FILE)], top: ICE40_TOP,
      channels: [{ in: 's_axis_0', out: 'm_axis_0', inBits: 8, outBits: 8 }], workDir: tempDir('host-vl'), verilator: process.env.FINN_VERILATOR,
    });
    const inBytes = packInput(spec, frames);
    const outPerFrame = spec.output.shapePacked[0] * spec.output.shapePacked[1];
    const res = await runChannels(m, [{ inputWords: [...inBytes].map(BigInt), expectOutputWords: frames.length * outPerFrame, wordsPerFrame: outPerFrame }],
      { seed: 5, inStallProb: 0.3, outStallProb: 0.3, cwd: b.rtlDir, timeoutCycles: 200000 });
    const outBytes = Uint8Array.from(res.channels[0]!.outputWords.map(Number));
    assert.deepEqual(unpackOutput(spec, outBytes), expected);
  });

test('the PYNQ driver applies the input/output contract as finn exec does: host quantizer in, dequantized softmax scores out (jet-tagging pattern)', async () => {
  const dir = tempDir('driver-contract');
  writeModel(jetMlp().graph, join(dir, 'm.onnx'));
  const r = await build({ model: join(dir, 'm.onnx'), out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, targetFps: 1e5, to: 'rtl', output: 'scores' });
  const c = contractOf(r.graph)!;
  const rr = rng(8);
  const x = Array.from({ length: 6 * 16 }, () => rr.normal() * 2);
  const frames = Array.from({ length: 6 }, (_, i) => Array.from(acceleratorFrame(r.graph, x.slice(i * 16, i * 16 + 16), 'model')));
  const run = compileGraph(r.graph);
  const ys = frames.map((f) => Array.from(run({ [r.graph.inputs[0]!]: { shape: [1, 16], data: Float64Array.from(f) } }).get(r.graph.outputs[0]!)!.data));
  const want = ys.map((y) => Array.from(hostOutput(c.output, y)));
  const io = JSON.stringify({ io_contract: c });
  const script = `import json, sys\nimport numpy as np\nsys.path.insert(0, ${JSON.stringify(PY_DIR)})\nimport finn_ts_packing as p\nio = json.loads(${JSON.stringify(io)})\nx = np.array(${JSON.stringify(x)}).reshape(6, 1, 16)\ny = np.array(${JSON.stringify(ys)})\nprint(json.dumps({"in": p.from_model_input(x, io).reshape(6, -1).tolist(), "out": p.to_model_output(y, io).tolist()}))\n`;
  const py = spawnSync(PY, ['-c', script], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  const got = JSON.parse(py.stdout) as { in: number[][]; out: number[][] };
  assert.deepEqual(got.in, frames);
  got.out.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i]![j]!) < 1e-12, `frame ${i} class ${j}: ${v} vs ${want[i]![j]}`)));
  assert.match(readFileSync(join(dir, 'b/driver/driver.py'), 'utf8'), /"io_contract": \{/);
});

test('the PYNQ driver makes the same fixed-point input codes as finn exec (--input-quant accel: round to odd, saturate)', async () => {
  const dir = tempDir('driver-fixed');
  writeModel(jetMlp().graph, join(dir, 'm.onnx'));
  const r = await build({ model: join(dir, 'm.onnx'), out: join(dir, 'b'), part: 'xc7z020', clockNs: 10, preprocess: 'auto', maxWeightWidth: 36, twoPassFolding: false, log: () => {}, targetFps: 1e5, to: 'rtl', inputQuant: 'accel' });
  const c = contractOf(r.graph)!;
  assert.equal(c.input.quant?.rounding, 'ODD');
  const rr = rng(9);
  // normal values, grid points (2^-6), values 2^-20 off them, and values far outside the range (saturation)
  const x = Array.from({ length: 6 * 16 }, (_, i) => [rr.normal() * 2, Math.round(rr.normal() * 256) / 64, Math.round(rr.normal() * 256) / 64 + 2 ** -20, (rr.next() - 0.5) * 200][i % 4]!);
  const frames = Array.from({ length: 6 }, (_, i) => Array.from(acceleratorFrame(r.graph, x.slice(i * 16, i * 16 + 16), 'model')));
  const io = JSON.stringify({ io_contract: c });
  const script = `import json, sys\nimport numpy as np\nsys.path.insert(0, ${JSON.stringify(PY_DIR)})\nimport finn_ts_packing as p\nio = json.loads(${JSON.stringify(io)})\nx = np.array(${JSON.stringify(x)}).reshape(6, 1, 16)\nprint(json.dumps(p.from_model_input(x, io).reshape(6, -1).tolist()))\n`;
  const py = spawnSync(PY, ['-c', script], { encoding: 'utf8' });
  assert.equal(py.status, 0, py.stderr);
  assert.deepEqual(JSON.parse(py.stdout), frames);
  const flat = frames.flat();
  assert.ok(flat.some((v) => v === -1024) && flat.some((v) => v === 1023), 'saturation reached both ends');
  assert.ok(flat.some((v) => Math.abs(v % 2) === 1) && flat.some((v) => v % 2 === 0), 'odd and even codes');
});
