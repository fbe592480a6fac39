/**
 * FINN fpgadataflow nodes → typed hw.* ops. Every registered layer names its FINN op types and reads its own
 * attributes through a FinnAttrReader, implemented here on top of the typed attribute access (attrs.ts).
 */
import { HW_LAYERS, type HwOp } from '../hw/registry.ts';
import type { FinnAttrReader, HwLayer } from '../hw/layer.ts';
import { FinnError } from '../util/errors.ts';
import { attrBool, attrDtype, attrDtypes, attrFloat, attrInt, attrInts, attrString, badAttr, hasAttr } from './attrs.ts';
import type { NodeInput, ParsedNode } from './ops-read.ts';

/** The spellings FINN uses for an op across versions and backends. */
const SUFFIXES = ['', '_hls', '_rtl', '_Batch'];

function reader(c: NodeInput): FinnAttrReader {
  const s = c.src;
  const where = `${s.file}: node "${s.node}" (${s.opType})`;
  return {
    int: (name, def) => attrInt(s, name, def),
    bool: (name, def) => attrBool(s, name, def),
    float: (name, def) => attrFloat(s, name, def),
    string: (name, def) => attrString(s, name, def),
    ints: (name, def) => attrInts(s, name, def)!,
    dtype: (name, def) => attrDtype(s, name, def),
    dtypes: (name, def) => attrDtypes(s, name, def),
    has: (name) => hasAttr(s, name),
    oneOf(name, allowed, def) {
      const v = attrString(s, name, def);
      if (!(allowed as readonly string[]).includes(v)) badAttr(s, name, v, allowed.join(', '));
      return v as typeof def;
    },
    inputShape(index) {
      const t = c.inputs[index];
      return t ? (c.constOf(t)?.shape ?? c.shapeOf(t)) : undefined;
    },
    fail(msg, hint) {
      throw new FinnError('E_ONNX_MODEL', `${where}: ${msg}`, hint ?? 'the node does not follow FINN\'s attribute conventions; re-export it');
    },
  };
}

function parserFor(layer: HwLayer<string, unknown>): (c: NodeInput) => ParsedNode {
  return (c) => ({ op: { kind: layer.kind, p: layer.readFinn(reader(c)) } as HwOp, inputs: c.inputs });
}

/**
 * FIFOs and width converters of a FINN hardware graph are re-derived by the backend (depths by FIFO sizing): they are
 * read as Identity, which tidy removes.
 */
const INFRA = ['StreamingFIFO', 'StreamingDataWidthConverter'];
const passThrough = (c: NodeInput): ParsedNode => ({ op: { kind: 'Identity' }, inputs: c.inputs.slice(0, 1) });

/** Parsers by FINN op_type for every registered layer, including the _hls/_rtl and older *_Batch spellings. */
export const HW_PARSERS: Record<string, (c: NodeInput) => ParsedNode> = Object.fromEntries([
  ...HW_LAYERS.flatMap((l) => {
    const layer = l as unknown as HwLayer<string, unknown>;
    const parse = parserFor(layer);
    return [layer.finnName, ...(layer.finnAliases ?? [])].flatMap((n) => SUFFIXES.map((s) => [`${n}${s}`, parse] as const));
  }),
  ...INFRA.flatMap((n) => SUFFIXES.map((s) => [`${n}${s}`, passThrough] as const)),
]);
