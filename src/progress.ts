/**
 * Progress of a build (and later train/synth) on the command line: a list of steps with live status and time per step.
 *
 * - `tty`: listr2's live step list (spinner, notes under the running step, progress counts in its title);
 * - `plain`: one line per event, for logs and CI (chosen when stdout is not a TTY or `CI` is set);
 * - `quiet`: nothing (errors and the final summary are printed by the caller).
 *
 * Errors are never printed here: a failed step is marked failed, and the caller prints the error once, at the end,
 * after `end()` has returned (so a live display never interleaves with it).
 */
import { Listr, type ListrTask } from 'listr2';

type TaskWrapper = Parameters<ListrTask<unknown>['task']>[1];

export type ProgressMode = 'tty' | 'plain' | 'quiet';

export interface StepInfo {
  readonly name: string;
  readonly summary: string;
}

/** What a build calls. Every method is cheap and never throws. */
export interface Progress {
  readonly mode: ProgressMode;
  /** The steps that will run, in order (call once, before the first step). */
  plan(steps: readonly StepInfo[]): void;
  stepStarted(name: string, summary?: string): void;
  stepDone(name: string, seconds: number): void;
  /** Marks the step failed; the error itself is the caller's to print (once, after end()). */
  stepFailed(name: string, error?: unknown): void;
  /** A message from the running step (the build's `log` callback). */
  note(msg: string): void;
  /** Progress of a long loop in the running step, e.g. (120, 300, 'images'). */
  progress(done: number, total: number, unit: string): void;
  /** Stop live rendering and print the summary line; resolves when the terminal is free for the caller. */
  end(): Promise<void>;
  /** `note`, bound: pass it as the build's `log`. */
  readonly log: (msg: string) => void;
}

export interface ProgressOptions {
  readonly quiet?: boolean;
  /** Default: process.stdout.isTTY. */
  readonly isTTY?: boolean;
  /** Default: process.env (CI, TERM). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Force a mode (tests). */
  readonly mode?: ProgressMode;
  /** Where plain mode writes lines (default: stdout). */
  readonly write?: (line: string) => void;
  /** What the steps make up, for the summary line ("build", "train", …). */
  readonly what?: string;
  /** Clock for elapsed times in the summary (tests). */
  readonly now?: () => number;
}

/** Which mode to use: quiet if asked, plain when not on a TTY, in CI or on a dumb terminal, otherwise the live list. */
export function progressMode(o: Pick<ProgressOptions, 'quiet' | 'isTTY' | 'env'> = {}): ProgressMode {
  if (o.quiet) return 'quiet';
  const env = o.env ?? process.env;
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== '0' && env.CI.toLowerCase() !== 'false';
  const tty = o.isTTY ?? process.stdout.isTTY === true;
  return !tty || ci || env.TERM === 'dumb' ? 'plain' : 'tty';
}

/** "120/500 frames (24 %)"; a unit starting with '%' is a percentage: (37, 100, '% (abc)') → "37 % (abc)". */
export function countText(done: number, total: number, unit: string): string {
  if (unit.startsWith('%')) return `${Math.round((100 * done) / Math.max(total, 1))} %${unit.slice(1)}`;
  return `${done}/${total} ${unit}${total > 0 ? ` (${Math.floor((100 * done) / total)} %)` : ''}`;
}

/** Seconds as shown next to a step: "<1 ms", "539 ms", "12.3 s", "2 min 5 s". */
export function formatSeconds(s: number): string {
  if (s < 0.0005) return '<1 ms';
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${(Math.round(s * 10) / 10).toFixed(1)} s`;
  const m = Math.floor(s / 60);
  return `${m} min ${Math.round(s - 60 * m)} s`;
}

export function createProgress(o: ProgressOptions = {}): Progress {
  const mode = o.mode ?? progressMode(o);
  if (mode === 'quiet') return quietProgress();
  if (mode === 'plain') return endOnce(plainProgress(o.write ?? ((l) => process.stdout.write(`${l}\n`)), o.what ?? 'build', o.now ?? (() => performance.now())));
  return endOnce(ttyProgress(o.what ?? 'build'));
}

/** `end()` may be called more than once (a command ends the list before its summary, and again on its error path). */
function endOnce(p: Progress): Progress {
  let ended: Promise<void> | null = null;
  return { ...p, end: () => (ended ??= p.end()) };
}

function quietProgress(): Progress {
  const nop = (): void => {};
  return { mode: 'quiet', plan: nop, stepStarted: nop, stepDone: nop, stepFailed: nop, note: nop, progress: nop, end: async () => {}, log: nop };
}

/** Bookkeeping shared by both renderers. */
class Steps {
  planned: StepInfo[] = [];
  current: string | null = null;
  done = 0;
  failed: string | null = null;
  seconds = 0;
  index(name: string): string {
    const i = this.planned.findIndex((s) => s.name === name);
    return i < 0 ? '' : `[${i + 1}/${this.planned.length}] `;
  }
  summaryOf(name: string, given?: string): string {
    return given ?? this.planned.find((s) => s.name === name)?.summary ?? '';
  }
}

function plainProgress(write: (line: string) => void, what: string, now: () => number): Progress {
  const st = new Steps();
  let lastDecile = -1;
  let lastUnit = '';
  let t0: number | null = null;
  const p: Progress = {
    mode: 'plain',
    plan(steps) { st.planned = [...steps]; },
    stepStarted(name, summary) {
      t0 ??= now();
      st.current = name;
      lastDecile = -1;
      const s = st.summaryOf(name, summary);
      write(`▸ ${st.index(name)}${name}${s ? `: ${s}` : ''}`);
    },
    stepDone(name, seconds) {
      st.done++;
      st.seconds += seconds;
      if (st.current === name) st.current = null;
      write(`✓ ${st.index(name)}${name} (${formatSeconds(seconds)})`);
    },
    stepFailed(name) {
      st.failed = name;
      if (st.current === name) st.current = null;
      write(`✗ ${st.index(name)}${name} failed`);
    },
    note(msg) {
      for (const line of msg.split('\n')) write(`    ${line}`);
    },
    progress(done, total, unit) {
      // at most 11 lines per loop: every tenth, and the end (a new unit is a new loop)
      if (unit !== lastUnit) { lastUnit = unit; lastDecile = -1; }
      const decile = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (decile === lastDecile && done !== total) return;
      if (done === total && lastDecile === 10) return;
      lastDecile = done === total ? 10 : decile;
      write(`    ${st.current ? `${st.current}: ` : ''}${countText(done, total, unit)}`);
    },
    async end() {
      const elapsed = t0 === null ? st.seconds : (now() - t0) / 1000;
      if (st.failed) write(`✗ ${what} failed at ${st.failed} after ${formatSeconds(elapsed)}`);
      else if (st.done > 0) write(`✓ ${what}: ${st.done} step${st.done === 1 ? '' : 's'} in ${formatSeconds(elapsed)}`);
    },
    log: (msg) => p.note(msg),
  };
  return p;
}

interface Deferred {
  promise: Promise<void>;
  resolve: () => void;
  reject: (e: Error) => void;
}

function deferred(): Deferred {
  let resolve!: () => void, reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => { resolve = res; reject = rej; });
  promise.catch(() => {});
  return { promise, resolve, reject };
}

interface TtyStep {
  readonly info: StepInfo;
  readonly gate: Deferred;
  task: TaskWrapper | null;
  state: 'waiting' | 'running' | 'done' | 'failed';
  started: number;
  seconds: number;
  count: string;
  notes: string[];
}

/** Live step list with listr2: one task per planned step, released by stepDone / stepFailed. */
function ttyProgress(what: string): Progress {
  const st = new Steps();
  const steps = new Map<string, TtyStep>();
  let run: Promise<unknown> | null = null;
  let ticker: ReturnType<typeof setInterval> | null = null;
  let t0: number | null = null;
  const dim = (s: string): string => `\u001b[2m${s}\u001b[22m`;

  const titleOf = (s: TtyStep): string => {
    const base = `${s.info.name}${s.info.summary ? `  ${dim(s.info.summary)}` : ''}`;
    if (s.state === 'done') return `${base}  ${formatSeconds(s.seconds)}`;
    if (s.state === 'running') {
      const el = (performance.now() - s.started) / 1000;
      return `${base}${s.count ? `  ${s.count}` : ''}${el >= 1 ? `  ${dim(formatSeconds(el))}` : ''}`;
    }
    return base;
  };
  const refresh = (s: TtyStep): void => { if (s.task) s.task.title = titleOf(s); };
  const flushNotes = (s: TtyStep): void => {
    if (!s.task) return;
    for (const n of s.notes) s.task.output = n;
    s.notes = [];
  };

  const p: Progress = {
    mode: 'tty',
    plan(list) {
      if (run) return;
      st.planned = [...list];
      for (const info of list) steps.set(info.name, { info, gate: deferred(), task: null, state: 'waiting', started: 0, seconds: 0, count: '', notes: [] });
      const tasks: ListrTask<unknown>[] = list.map((info) => ({
        title: titleOf(steps.get(info.name)!),
        rendererOptions: { persistentOutput: true, outputBar: Infinity },
        task: async (_ctx: unknown, task: TaskWrapper) => {
          const s = steps.get(info.name)!;
          s.task = task;
          refresh(s);
          flushNotes(s);
          await s.gate.promise;
          refresh(s);
          flushNotes(s);
        },
      }));
      const listr = new Listr(tasks, {
        concurrent: false, exitOnError: true, registerSignalListeners: false,
        rendererOptions: { showErrorMessage: false, collapseSubtasks: false, formatOutput: 'wrap', removeEmptyLines: true },
      });
      run = listr.run().catch(() => {});
      ticker = setInterval(() => { for (const s of steps.values()) if (s.state === 'running') refresh(s); }, 500);
      ticker.unref();
    },
    stepStarted(name, summary) {
      t0 ??= performance.now();
      const s = steps.get(name);
      if (!s) return p.note(`${name}${summary ? `: ${summary}` : ''}`);
      st.current = name;
      s.state = 'running';
      s.started = performance.now();
      refresh(s);
    },
    stepDone(name, seconds) {
      const s = steps.get(name);
      st.done++;
      st.seconds += seconds;
      if (st.current === name) st.current = null;
      if (!s) return;
      s.state = 'done';
      s.seconds = seconds;
      s.count = '';
      refresh(s);
      s.gate.resolve();
    },
    stepFailed(name) {
      st.failed = name;
      if (st.current === name) st.current = null;
      const s = steps.get(name);
      if (!s) return;
      s.state = 'failed';
      refresh(s);
      s.gate.reject(new Error(`${name} failed`));
    },
    note(msg) {
      const s = st.current ? steps.get(st.current) : undefined;
      if (!s || !run) { process.stdout.write(`${msg}\n`); return; }
      s.notes.push(...msg.split('\n'));
      flushNotes(s);
    },
    progress(done, total, unit) {
      const s = st.current ? steps.get(st.current) : undefined;
      if (!s) return;
      s.count = countText(done, total, unit);
      refresh(s);
    },
    async end() {
      if (ticker) clearInterval(ticker);
      // steps that never finished (the build stopped outside a step): release them so the list closes
      for (const s of steps.values()) if (s.state === 'waiting' || s.state === 'running') s.gate.reject(new Error('stopped'));
      if (run) await run;
      const elapsed = t0 === null ? st.seconds : (performance.now() - t0) / 1000;
      if (st.failed) process.stdout.write(`✗ ${what} failed at ${st.failed} after ${formatSeconds(elapsed)}\n`);
      else if (st.done > 0) process.stdout.write(`✓ ${what}: ${st.done} step${st.done === 1 ? '' : 's'} in ${formatSeconds(elapsed)}\n`);
    },
    log: (msg) => p.note(msg),
  };
  return p;
}
