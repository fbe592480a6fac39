/**
 * explore.json: the points in grid order (never in the order workers finished them), each with its Pareto flags, so
 * the same exploration gives the same bytes whatever the number, speed or order of its workers.
 */
import { precisionName, type ExploreSettings, type PointJob } from './spec.ts';
import type { PointResult } from './point.ts';

/** A point whose job failed (after BullMQ's retries): recorded, never cached, so a re-run tries it again. */
export interface FailedPoint {
  readonly key: string;
  readonly label: string;
  readonly error: string;
}

export interface ExplorePoint extends PointResult {
  readonly status: 'ok' | 'infeasible';
  /** The point's build report, relative to explore.json. */
  readonly report: string;
  /** On the accuracy-vs-LUT and accuracy-vs-frames/s Pareto fronts. */
  readonly pareto: { readonly lut: boolean; readonly fps: boolean };
}

export interface ExploreJson {
  readonly format: string;
  readonly settings: Record<string, unknown>;
  readonly points: readonly (ExplorePoint | (FailedPoint & { readonly status: 'failed' }))[];
  readonly pareto: { readonly lut: readonly string[]; readonly fps: readonly string[] };
  readonly summary: { readonly points: number; readonly feasible: number; readonly infeasible: number; readonly failed: number };
}

export const EXPLORE_JSON_FORMAT = 'finn-ts explore 1';

/** The relative path of a point's directory in the output. */
export const pointDir = (key: string): string => `points/${key}`;

interface Objective { readonly x: number; readonly y: number }

/**
 * Indices on the Pareto front of points to maximise in y and to minimise (or maximise) in x: no other point is at
 * least as good in both and better in one. Equal points are both on the front.
 */
export function paretoFront(pts: readonly Objective[], minimiseX: boolean): Set<number> {
  const better = (a: number, b: number, min: boolean): boolean => (min ? a < b : a > b);
  const front = new Set<number>();
  pts.forEach((p, i) => {
    const dominated = pts.some((q, j) => j !== i
      && !better(p.x, q.x, minimiseX) && q.y >= p.y && (better(q.x, p.x, minimiseX) || q.y > p.y));
    if (!dominated) front.add(i);
  });
  return front;
}

/** Merge results (any order) into explore.json's content, in the grid's order. */
export function mergeResults(s: ExploreSettings, grid: readonly PointJob[], results: ReadonlyMap<string, PointResult>, failed: ReadonlyMap<string, FailedPoint>): ExploreJson {
  const ok = grid.map((g) => results.get(g.key)).filter((r): r is PointResult => r !== undefined && r.feasible && r.estimate !== null);
  const objective = (x: (r: PointResult) => number): Objective[] => ok.map((r) => ({ x: x(r), y: r.accuracy.top1 }));
  const lut = paretoFront(objective((r) => r.estimate!.LUT), true);
  const fps = paretoFront(objective((r) => r.estimate!.fps), false);
  const onFront = (front: Set<number>, key: string): boolean => front.has(ok.findIndex((r) => r.key === key));
  const points = grid.map((g) => {
    const f = failed.get(g.key);
    const r = results.get(g.key);
    if (!r) return { ...(f ?? { key: g.key, label: g.label, error: 'not computed' }), status: 'failed' as const };
    return {
      status: r.feasible ? 'ok' as const : 'infeasible' as const, ...r, report: `${pointDir(r.key)}/build/report.html`,
      pareto: { lut: onFront(lut, r.key), fps: onFront(fps, r.key) },
    };
  });
  const ex = points.filter((p): p is ExplorePoint => p.status !== 'failed');
  return {
    format: EXPLORE_JSON_FORMAT,
    settings: {
      topology: s.topology, precisions: s.precisions.map(precisionName), widths: s.widths,
      train: s.train, build: s.build, eval: s.eval, synth: s.synth,
    },
    points,
    pareto: { lut: ex.filter((p) => p.pareto.lut).map((p) => p.label), fps: ex.filter((p) => p.pareto.fps).map((p) => p.label) },
    summary: { points: points.length, feasible: ex.filter((p) => p.feasible).length, infeasible: ex.filter((p) => !p.feasible).length, failed: points.length - ex.length },
  };
}
