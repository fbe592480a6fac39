/**
 * Redis for the exploration's job queue: connections that survive a Redis restart, a reachability check with a clear
 * error, and a local `redis-server` (Debian's package) that `finn explore` starts and stops when no --redis is given.
 */
import { stopProcess } from '../util/stop-process.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { Redis } from 'ioredis';
import { fail } from '../util/errors.ts';

/** Check a --redis value: redis://[user:pass@]host:port[/db] (or rediss:// for TLS). */
export function checkRedisUrl(url: string): string {
  let u: URL;
  try { u = new URL(url); } catch { return fail('E_REDIS', `--redis "${url}" is not a URL`, 'e.g. --redis redis://127.0.0.1:6379'); }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') fail('E_REDIS', `--redis "${url}" is not a redis:// URL`, 'e.g. --redis redis://127.0.0.1:6379');
  return url;
}

/**
 * A connection for BullMQ: commands wait while Redis is away (maxRetriesPerRequest null, as BullMQ requires) and it
 * reconnects forever, so workers and the coordinator ride out a Redis restart.
 */
export function queueConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true, retryStrategy: (n) => Math.min(100 * n, 1000) });
}

/** Fail clearly (E_REDIS) unless Redis answers PING at `url` within `timeoutMs`. */
export async function checkReachable(url: string, timeoutMs = 4000): Promise<void> {
  checkRedisUrl(url);
  const r = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs, enableOfflineQueue: false });
  r.on('error', () => {}); // reported below
  try {
    await r.connect();
    await r.ping();
  } catch (e) {
    fail('E_REDIS', `cannot reach Redis at ${url}: ${(e as Error).message}`, 'start redis-server there (apt-get install redis-server), or leave out --redis and finn explore starts its own');
  } finally {
    r.disconnect();
  }
}

/** A free TCP port on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

/** redis-server on PATH (or Debian's /usr/bin/redis-server). */
export function findRedisServer(env: Readonly<Record<string, string | undefined>> = {}): string {
  if (env.FINN_REDIS_SERVER) return env.FINN_REDIS_SERVER;
  for (const dir of [...(env.PATH ?? '').split(delimiter), '/usr/bin', '/usr/local/bin']) {
    if (dir && existsSync(join(dir, 'redis-server'))) return join(dir, 'redis-server');
  }
  return fail('E_TOOL', 'redis-server not found (finn explore starts one for its job queue when no --redis is given)', 'apt-get install redis-server, or pass --redis redis://host:port of a running server');
}

export interface LocalRedis {
  readonly url: string;
  readonly port: number;
  /** Stop the server; its files are removed unless `keepFiles` (a restart on the same directory finds the queue). */
  stop(o?: { keepFiles?: boolean }): Promise<void>;
}

export interface LocalRedisOptions {
  /** Where the server keeps its files (created; removed again by stop()). */
  readonly dir: string;
  readonly port?: number;
  /** Append-only file, fsync'ed on every write: the queue survives a restart of the server (tests restart it). */
  readonly persistent?: boolean;
  readonly server?: string;
}

/** Start redis-server on the loopback interface and wait until it answers. */
export async function startRedis(o: LocalRedisOptions): Promise<LocalRedis> {
  const port = o.port ?? await freePort();
  mkdirSync(o.dir, { recursive: true });
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', o.dir, '--save', '', '--daemonize', 'no', '--logfile', '',
    '--appendonly', o.persistent ? 'yes' : 'no', ...(o.persistent ? ['--appendfsync', 'always'] : [])];
  const proc: ChildProcess = spawn(o.server ?? findRedisServer(process.env), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let exited: string | null = null;
  let stderr = '';
  proc.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  proc.on('exit', (code, sig) => { exited = `exited (${sig ?? code})`; });
  proc.on('error', (e) => { exited = e.message; });
  const url = `redis://127.0.0.1:${port}`;
  const t0 = Date.now();
  for (;;) {
    if (exited) fail('E_TOOL', `redis-server on port ${port} ${exited}: ${stderr.trim().slice(-400)}`, 'is the port taken? is redis-server installed (apt-get install redis-server)?');
    try { await checkReachable(url, 500); break; } catch (e) { if (Date.now() - t0 > 10_000) throw e; }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url, port,
    async stop(so = {}) {
      await stopProcess(proc, 5000);
      if (!so.keepFiles) rmSync(o.dir, { recursive: true, force: true });
    },
  };
}
