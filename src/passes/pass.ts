/** What a pass is, and the runner that applies passes (to a fixed point) and checks invariants after each. */
import type { Graph } from '../ir/graph.ts';
import { verifyGraph } from '../ir/verify.ts';
import { FinnError, fail } from '../util/errors.ts';

export interface PassContext {
  /** Progress and notes for the user (one line each). */
  readonly log: (msg: string) => void;
  /** Called after every pass that changed the graph (tests use it to check numerical equivalence). */
  readonly afterPass?: (pass: Pass, before: Graph, after: Graph) => void;
}

export interface Pass {
  /** Path-like name, e.g. 'streamline/absorb-add-into-threshold'. */
  readonly name: string;
  readonly summary: string;
  /** Pure: returns a new graph, or the same object when nothing changed. */
  run(g: Graph, ctx: PassContext): Graph;
}

export const silentContext: PassContext = { log: () => {} };

/** Apply one pass and check the graph's invariants, naming the pass that broke them. */
export function applyPass(p: Pass, g: Graph, ctx: PassContext): Graph {
  let out: Graph;
  try {
    out = p.run(g, ctx);
  } catch (e) {
    if (e instanceof FinnError) throw e;
    throw new FinnError('E_PASS', `pass ${p.name} failed: ${(e as Error).message}`, 'this is a finn-ts bug; please report it with the model');
  }
  if (out !== g) {
    const problems = verifyGraph(out);
    if (problems.length > 0) fail('E_PASS', `pass ${p.name} broke the graph: ${problems.slice(0, 3).join('; ')}`);
    ctx.afterPass?.(p, g, out);
  }
  return out;
}

/** Apply passes in order, once. */
export function runSequence(passes: readonly Pass[], g: Graph, ctx: PassContext): Graph {
  return passes.reduce((acc, p) => applyPass(p, acc, ctx), g);
}

/** Repeat the whole list until no pass changes the graph (bounded). */
export function runToFixedPoint(passes: readonly Pass[], g: Graph, ctx: PassContext, maxRounds = 200): Graph {
  let cur = g;
  for (let round = 0; round < maxRounds; round++) {
    let changed = false;
    for (const p of passes) {
      const next = applyPass(p, cur, ctx);
      if (next !== cur) { changed = true; cur = next; }
    }
    if (!changed) return cur;
  }
  return fail('E_PASS', `passes did not reach a fixed point after ${maxRounds} rounds: ${passes.map((p) => p.name).join(', ')}`);
}

/** Apply a rewrite to the first node it matches, repeatedly, until it matches none (a local-rewrite pass body). */
export function rewriteAll(g: Graph, rewrite: (g: Graph) => Graph | undefined, limit = 100000): Graph {
  let cur = g;
  for (let i = 0; i < limit; i++) {
    const next = rewrite(cur);
    if (!next) return cur;
    cur = next;
  }
  return fail('E_PASS', 'rewrite did not terminate');
}
