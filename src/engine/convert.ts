/**
 * Conversions between a tensor's storages. Converting float64 values to integers checks every value against the
 * domain (an annotation or the graph input's datatype may be wrong): a value off the grid raises DomainMiss, and the
 * engine runs that batch through the reference executor instead, so results never differ from the reference.
 */
import type { Step } from './plan.ts';
import type { Planner } from './plan.ts';
import type { Buf, IntDomain, Val } from './values.ts';

/** A value does not lie on the domain the plan assumed; the batch is recomputed by the reference executor. */
export class DomainMiss extends Error {
  constructor(readonly tensor: string, readonly value: number) {
    super(`engine: value ${value} of tensor "${tensor}" is off its integer grid`);
  }
}

/** Word index and bit of element c of vector r in a bits buffer (segments padded to 64 bits). */
function bitPos(b: Buf, r: number, c: number): [number, number] {
  const seg = Math.floor(c / b.segLen), at = c - seg * b.segLen;
  return [(r * b.nseg + seg) * b.wps + (at >>> 5), at & 31];
}

export function convert(v: Val, to: Buf, pl: Planner): Step {
  const from = v.bufs.f64 ?? v.bufs.i32 ?? v.bufs.bits;
  if (!from) throw new Error(`internal: tensor ${v.name} has no storage`);
  const n = v.numel;
  const label = `${v.name}: ${from.st} → ${to.st}`;
  if (v.dom.kind === 'float') {
    if (to.st !== 'f64') throw new Error(`internal: float tensor ${v.name} cannot be stored as ${to.st}`);
    throw new Error(`internal: float tensor ${v.name} has no f64 storage`);
  }
  const d: IntDomain = v.dom;
  const s = d.scale;
  const last = to.st === 'bits' ? to.segLen : from.st === 'bits' ? from.nseg * from.segLen : 1;
  void pl;
  if (from.st === 'f64' && to.st === 'i32') {
    return { label, run: (m, b) => {
      const src = from.region.off / 8, dst = to.region.off / 4;
      for (let i = 0; i < b * n; i++) {
        const x = m.f64[src + i]!, q = x / s;
        if (!Number.isInteger(q) || q < d.lo || q > d.hi || (q === 0 && Object.is(x, -0))) throw new DomainMiss(v.name, x);
        m.i32[dst + i] = q;
      }
    } };
  }
  if (from.st === 'i32' && to.st === 'f64') {
    return { label, run: (m, b) => {
      const src = from.region.off / 4, dst = to.region.off / 8;
      for (let i = 0; i < b * n; i++) m.f64[dst + i] = s * m.i32[src + i]!;
    } };
  }
  if (to.st === 'bits') {
    if (!d.twoLevel) throw new Error(`internal: tensor ${v.name} is not two-level`);
    const rowsAll = (b: number): number => (b * n) / last;
    return { label, run: (m, b) => {
      const dst = to.region.off / 4, words = to.nseg * to.wps, rows = rowsAll(b);
      m.u32.fill(0, dst, dst + rows * words);
      for (let r = 0; r < rows; r++) {
        for (let c = 0; c < last; c++) {
          const i = r * last + c;
          let q: number;
          if (from.st === 'f64') {
            const x = m.f64[from.region.off / 8 + i]!;
            q = x / s;
            if (q !== d.lo && q !== d.hi || (q === 0 && Object.is(x, -0))) throw new DomainMiss(v.name, x);
          } else q = m.i32[from.region.off / 4 + i]!;
          if (q === d.hi) { const [w, bit] = bitPos(to, r, c); m.u32[dst + w]! |= 1 << bit; }
        }
      }
    } };
  }
  // bits → i32 / f64
  const perVec = from.nseg * from.segLen;
  return { label, run: (m, b) => {
    const src = from.region.off / 4, rows = (b * n) / perVec;
    const lo = to.st === 'f64' ? s * d.lo : d.lo, hi = to.st === 'f64' ? s * d.hi : d.hi;
    const out = to.st === 'f64' ? m.f64 : m.i32, dst = to.region.off / (to.st === 'f64' ? 8 : 4);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < perVec; c++) {
        const [w, bit] = bitPos(from, r, c);
        out[dst + r * perVec + c] = (m.u32[src + w]! >>> bit) & 1 ? hi : lo;
      }
    }
  } };
}
