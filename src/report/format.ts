/** Number and text formatting for the report: locale-independent, so Node and every browser produce the same bytes. */

/** Escape text for HTML content and attribute values (node names come from untrusted models). */
export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 12345 → "12,345"; fractions (iCE40 block RAMs in 18-kbit equivalents) keep two decimals: 0.89 → "0.89". */
export function fmtInt(n: number): string {
  if (!Number.isFinite(n)) return n > 0 ? '∞' : n < 0 ? '−∞' : '–';
  const frac = Math.abs(n - Math.round(n)) > 0.005;
  const [int, dec] = (frac ? Math.abs(n).toFixed(2) : String(Math.abs(Math.round(n)))).split('.');
  const s = `${int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${dec ? `.${dec}` : ''}`;
  return n < 0 && s !== '0' ? `−${s}` : s;
}

/** Three significant digits, trailing zeros dropped: 1020408 → "1.02", used with an SI prefix. */
function sig3(v: number): string {
  if (v >= 100) return String(Math.round(v));
  const s = v >= 10 ? v.toFixed(1) : v.toFixed(2);
  return s.replace(/\.?0+$/, '');
}

/** 1020408 → "1.02 M", 950 → "950". */
export function fmtSi(n: number): string {
  if (!Number.isFinite(n)) return '–';
  const units: readonly [number, string][] = [[1e12, 'T'], [1e9, 'G'], [1e6, 'M'], [1e3, 'k']];
  for (const [f, u] of units) if (Math.abs(n) >= f * 0.9995) return `${sig3(n / f)} ${u}`;
  return n >= 100 || Number.isInteger(n) ? String(Math.round(n)) : sig3(n);
}

/** Nanoseconds as a readable duration: 3720 → "3.72 µs". */
export function fmtNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns >= 1e9) return `${sig3(ns / 1e9)} s`;
  if (ns >= 1e6) return `${sig3(ns / 1e6)} ms`;
  if (ns >= 1e3) return `${sig3(ns / 1e3)} µs`;
  return `${sig3(ns)} ns`;
}

/** Seconds of a build step: 0.000061 → "<1 ms", 0.539 → "539 ms", 12.3 → "12.3 s". */
export function fmtSeconds(s: number): string {
  if (s < 0.0005) return '<1 ms';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${sig3(s)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

/** A fraction as a percentage: 0.1954 → "19.5 %". */
export function fmtPct(f: number): string {
  if (!Number.isFinite(f)) return '∞ %';
  const p = f * 100;
  if (p === 0) return '0 %';
  if (p < 0.1) return '<0.1 %';
  return `${p >= 100 ? Math.round(p) : p.toFixed(1)} %`;
}

/** Round to 3 significant digits (slider values). */
export function round3(n: number): number {
  if (n <= 0 || !Number.isFinite(n)) return n;
  const e = Math.floor(Math.log10(n)) - 2;
  const f = 10 ** Math.abs(e);
  return e >= 0 ? Math.round(n / f) * f : Math.round(n * f) / f;
}
