/**
 * Progress of an exploration: one entry per point — waiting, running (its stage: train epoch n/N, build step, eval,
 * rtl), done with its numbers, cached, or failed. Like the build's display (src/progress.ts): listr2's live list
 * (points run concurrently, so the tasks are concurrent) on a terminal, one line per change in CI or when piped,
 * nothing with --quiet.
 */
import { Listr, type ListrTask } from 'listr2';
import { formatSeconds, progressMode, type ProgressOptions } from '../progress.ts';

type TaskWrapper = Parameters<ListrTask<unknown>['task']>[1];

export interface ExploreProgress {
  start(points: readonly { key: string; label: string; cached: boolean }[]): void;
  waiting(key: string): void;
  running(key: string, stage: string, detail: string, worker: string): void;
  done(key: string, summary: string): void;
  failed(key: string, error: string): void;
  note(msg: string): void;
  /** Close the display and print the summary line. */
  end(): Promise<void>;
}

interface Entry {
  readonly label: string;
  state: 'waiting' | 'running' | 'done' | 'failed';
  status: string;
  started: number;
  task: TaskWrapper | null;
  release: (() => void) | null;
  fail: ((e: Error) => void) | null;
}

export function createExploreProgress(o: ProgressOptions = {}): ExploreProgress {
  const mode = o.mode ?? progressMode(o);
  const write = o.write ?? ((l: string) => process.stdout.write(`${l}\n`));
  const now = o.now ?? (() => performance.now());
  const entries = new Map<string, Entry>();
  let t0 = now();
  let run: Promise<unknown> | null = null;
  let ticker: ReturnType<typeof setInterval> | null = null;
  const counts = (): string => {
    const v = [...entries.values()];
    const n = (s: Entry['state']): number => v.filter((e) => e.state === s).length;
    return `${n('done')} done, ${n('running')} running, ${n('waiting')} waiting, ${n('failed')} failed`;
  };
  const title = (e: Entry): string => {
    const el = e.state === 'running' ? `  ${formatSeconds((now() - e.started) / 1000)}` : '';
    return `${e.label.padEnd(10)} ${e.status}${el}`;
  };
  const refresh = (e: Entry): void => { if (e.task) e.task.title = title(e); };
  const line = (e: Entry, mark: string): void => { if (mode === 'plain') write(`${mark} ${e.label}: ${e.status}`); };
  const finish = (e: Entry): void => { refresh(e); e.release?.(); };

  return {
    start(points) {
      t0 = now();
      for (const p of points) entries.set(p.key, { label: p.label, state: 'waiting', status: 'waiting', started: 0, task: null, release: null, fail: null });
      if (mode === 'plain') write(`exploring ${points.length} points (${points.filter((p) => p.cached).length} already done)`);
      if (mode !== 'tty') return;
      const tasks: ListrTask<unknown>[] = points.map((p) => ({
        title: p.label,
        task: (_ctx: unknown, task: TaskWrapper) => new Promise<void>((resolve, reject) => {
          const e = entries.get(p.key)!;
          e.task = task;
          e.release = resolve;
          e.fail = reject;
          refresh(e);
          if (e.state === 'done') resolve();
          if (e.state === 'failed') reject(new Error(e.status));
        }),
      }));
      run = new Listr(tasks, { concurrent: true, exitOnError: false, registerSignalListeners: false, rendererOptions: { showErrorMessage: false, collapseSubtasks: false } }).run().catch(() => {});
      ticker = setInterval(() => { for (const e of entries.values()) if (e.state === 'running') refresh(e); }, 500);
      ticker.unref();
    },
    waiting(key) {
      const e = entries.get(key);
      if (!e || e.state === 'waiting') return;
      e.state = 'waiting';
      e.status = 'waiting (job back in the queue)';
      refresh(e);
      line(e, '↺');
    },
    running(key, stage, detail, worker) {
      const e = entries.get(key);
      if (!e) return;
      const status = `${stage}${detail ? `: ${detail}` : ''}${worker ? ` [${worker}]` : ''}`;
      if (e.state !== 'running') { e.state = 'running'; e.started = now(); }
      if (status === e.status) return;
      const stageChanged = e.status.split(':')[0] !== status.split(':')[0];
      e.status = status;
      refresh(e);
      if (stageChanged) line(e, '▸');
    },
    done(key, summary) {
      const e = entries.get(key);
      if (!e) return;
      e.state = 'done';
      e.status = summary;
      line(e, '✓');
      finish(e);
    },
    failed(key, error) {
      const e = entries.get(key);
      if (!e) return;
      e.state = 'failed';
      e.status = `failed: ${error}`;
      line(e, '✗');
      refresh(e);
      e.fail?.(new Error(error));
    },
    note(msg) {
      if (mode === 'quiet') return;
      if (mode === 'plain' || !run) write(`    ${msg}`);
      else process.stdout.write(`${msg}\n`);
    },
    async end() {
      if (ticker) clearInterval(ticker);
      for (const e of entries.values()) if (e.state === 'waiting' || e.state === 'running') e.fail?.(new Error('stopped'));
      if (run) await run;
      if (mode !== 'quiet' && entries.size > 0) write(`explore: ${counts()} in ${formatSeconds((now() - t0) / 1000)}`);
    },
  };
}
