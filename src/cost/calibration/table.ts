/** The committed training tables (one JSON object per line: id, core, params, synthesized resources) per family. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { CalFamily } from './synth-sample.ts';
import type { TableRow } from './fit.ts';

export const CALIBRATION_DIR = fileURLToPath(new URL('./', import.meta.url));
export const tablePath = (f: CalFamily): string => `${CALIBRATION_DIR}table-${f}.jsonl`;

/** Rows of a family's table; a sample synthesized twice (an interrupted run) counts once, the first time. */
export function readTable(f: CalFamily): TableRow[] {
  if (!existsSync(tablePath(f))) return [];
  const seen = new Set<string>();
  const rows: TableRow[] = [];
  for (const line of readFileSync(tablePath(f), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as TableRow;
    if (!seen.has(r.id)) { seen.add(r.id); rows.push(r); }
  }
  return rows;
}
