/**
 * A folding file checked before the build starts (shape, keys, values), and its entries matched to layers with the
 * names they could have meant. Step 7 (fold) applies it; nothing here depends on the graph but `closeNames`.
 */
import { RAM_STYLES } from '../../hw/common.ts';
import { fail } from '../../util/errors.ts';
import { canonicalNodeName, type FoldingConfig } from './config.ts';

/** Keys finn-ts applies, and FINN attributes that have no meaning here (accepted and ignored, as FINN's files carry them). */
const APPLIED = ['PE', 'SIMD', 'ram_style'];
const FINN_ONLY = ['mem_mode', 'resType', 'runtime_writeable_weights', 'ram_style_thresholds', 'depth_trigger_uram', 'depth_trigger_bram',
  'impl_style', 'preferred_impl_style', 'inFIFODepths', 'outFIFODepths', 'parallel_window', 'depth', 'M', 'rtlsim_trace', 'exec_mode'];
const KNOWN = new Set([...APPLIED, ...FINN_ONLY]);

function checkValue(source: string, where: string, key: string, v: unknown): void {
  if (key === 'PE' || key === 'SIMD') {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail('E_CONFIG', `${source}: ${where}.${key} must be a positive integer, got ${JSON.stringify(v)}`);
  } else if (key === 'ram_style') {
    if (!(RAM_STYLES as readonly unknown[]).includes(v)) fail('E_CONFIG', `${source}: ${where}.ram_style must be one of ${RAM_STYLES.join(', ')}, got ${JSON.stringify(v)}`);
  }
}

/** Shape, known keys and legal values of a FINN folding file (`{"Defaults": {...}, "<layer>": {...}}`). */
export function validateFoldingConfig(cfg: unknown, source: string): FoldingConfig {
  if (typeof cfg !== 'object' || cfg === null || Array.isArray(cfg)) fail('E_CONFIG', `${source}: a folding config must be a JSON object of layer entries`, 'e.g. {"Defaults": {}, "MVAU_hls_0": {"PE": 16, "SIMD": 49}}');
  for (const [name, entry] of Object.entries(cfg)) {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail('E_CONFIG', `${source}: entry "${name}" must be an object, got ${JSON.stringify(entry)}`);
    for (const [k, v] of Object.entries(entry)) {
      if (name === 'Defaults') {
        if (!Array.isArray(v) || v.length !== 2 || !Array.isArray(v[1])) fail('E_CONFIG', `${source}: Defaults.${k} must be [value, [op types]] as in FINN`);
        if (!KNOWN.has(k)) fail('E_CONFIG', `${source}: Defaults.${k} is not a folding key`, `known keys: ${APPLIED.join(', ')} (FINN's ${FINN_ONLY.join(', ')} are accepted and ignored)`);
        checkValue(source, 'Defaults', k, v[0]);
        continue;
      }
      if (!KNOWN.has(k)) fail('E_CONFIG', `${source}: ${name}.${k} is not a folding key`, `known keys: ${APPLIED.join(', ')} (FINN's ${FINN_ONLY.join(', ')} are accepted and ignored)`);
      checkValue(source, name, k, v);
    }
  }
  return cfg as FoldingConfig;
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = cur;
    }
  }
  return d[b.length]!;
}

/** Layer names an unmatched entry could mean: close in spelling, or the same index; at most 3, closest first. */
export function closeNames(entry: string, layers: readonly string[]): string[] {
  const e = canonicalNodeName(entry).toLowerCase();
  const idx = /_(\d+)$/.exec(e)?.[1];
  return layers.map((l) => ({ l, d: distance(e, l.toLowerCase()) - (idx !== undefined && l.endsWith(`_${idx}`) ? 2 : 0) }))
    .filter((x) => x.d <= Math.max(3, Math.floor(e.length / 3))).sort((a, b) => a.d - b.d || a.l.localeCompare(b.l)).slice(0, 3).map((x) => x.l);
}
