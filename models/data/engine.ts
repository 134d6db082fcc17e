/**
 * The data engine: one in-memory DuckDB database per thread (a worker thread, the CLI's main
 * thread, a test), created on first use and closed when the thread exits. Nothing is shared
 * between processes: no database file is ever written (DuckDB allows one read-write process per
 * file); what does not fit in `memory_limit` spills to a private temporary folder
 * (tickwork-duckdb-<pid>-…), removed on exit, or by the next engine when its process is gone.
 *
 * Settings, fixed before any user SQL runs and then locked (`lock_configuration`):
 *   threads            = the machine's cores;
 *   memory_limit       = TICKWORK_DATA_MEMORY (e.g. "4GB"), default 1 GB — the rest of a ~2 GB
 *                        process is the sampled Table in JavaScript and Node itself;
 *   temp_directory     = a fresh mkdtemp folder (spilling);
 *   autoinstall / autoload of extensions off — nothing is downloaded at run time (the excel
 *                        extension would be), so an offline machine behaves like any other.
 * DuckDB's query progress is a per-connection setting (enable_progress_bar, and progress_bar_time
 * = 0: by default a query reports nothing for its first 2 s), which the lock then refuses: so a few
 * connections are made and set up before the lock, and lent out by withConnection (a read beyond
 * them gets a fresh connection that reports no progress, and runs the same).
 *
 * Inputs and outputs of everything built on this are plain data (paths, strings, numbers, typed
 * arrays), so the engine runs unchanged in a worker thread; see read.ts.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { TickworkError } from '../../shared/errors.js';
import { processAlive as alive } from '../process-alive.js';

export type Connection = DuckDBConnection;

interface Engine {
  instance: DuckDBInstance;
  tempDir: string;
  /** Connections that report their query's progress, set up before the lock; lent out one read at a time. */
  idle: Connection[];
  /** Set by closeNow: a connection lent out before then is closed when it comes back. */
  closed: boolean;
}

/** Connections set up to report progress: reads at once beyond these report none. */
const PROGRESS_CONNECTIONS = 4;

let engine: Promise<Engine> | null = null;
let counter = 0;

/** A name no other relation of this thread's database has (tables, types, reject tables). */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `tw_${prefix}_${counter}`;
}

/** "name" for SQL, with embedded quotes doubled. */
export function ident(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** 'text' for SQL, with embedded quotes doubled. */
export function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

function memoryLimit(): string {
  const configured = process.env.TICKWORK_DATA_MEMORY?.trim();
  if (configured && /^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(configured)) return configured;
  return '1GB';
}

const TEMP_PREFIX = 'tickwork-duckdb-';

/**
 * Spill folders of processes that are gone (killed, or a worker thread terminated before its exit
 * handler could run): their names carry the process id.
 */
function removeStaleFolders(): void {
  try {
    for (const name of readdirSync(tmpdir())) {
      const pid = Number(new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name)?.[1]);
      if (pid > 0 && pid !== process.pid && !alive(pid)) rmSync(join(tmpdir(), name), { recursive: true, force: true });
    }
  } catch {
    // best effort: a folder we cannot list or remove is left for the system's own cleanup
  }
}

async function createEngine(): Promise<Engine> {
  let api: typeof import('@duckdb/node-api');
  try {
    api = await import('@duckdb/node-api');
  } catch (err) {
    throw new TickworkError(
      'internal',
      `The data engine (DuckDB, @duckdb/node-api) could not be loaded: ${(err as Error).message}. Reinstall Tickwork (npm ci) for this platform.`,
    );
  }
  removeStaleFolders();
  const tempDir = mkdtempSync(join(tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  const instance = await api.DuckDBInstance.create(':memory:', {
    threads: String(Math.max(1, availableParallelism())),
    memory_limit: memoryLimit(),
    temp_directory: tempDir,
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
    allow_community_extensions: 'false',
  });
  // Progress is set per connection, so these connections are made before the lock; then nothing may change a setting.
  const idle: Connection[] = [];
  for (let i = 0; i < PROGRESS_CONNECTIONS; i++) {
    const connection = await connect(instance);
    await connection.run('SET enable_progress_bar = true; SET enable_progress_bar_print = false; SET progress_bar_time = 0');
    idle.push(connection);
  }
  await idle[0].run('SET lock_configuration = true');
  // At the process's exit only the spill folder is removed: closing the database first would free
  // every table it holds (~60 ms for the benchmark's 1,000,000 rows) just before the system does.
  process.once('exit', () => rmSync(tempDir, { recursive: true, force: true }));
  return { instance, tempDir, idle, closed: false };
}

/** A new connection (traced under TICKWORK_DATA_TRACE=sql). */
async function connect(instance: DuckDBInstance): Promise<Connection> {
  const connection = await instance.connect();
  if (process.env.TICKWORK_DATA_TRACE === 'sql') traceStatements(connection);
  return connection;
}

function closeNow(opened: Engine): void {
  const { instance, tempDir, idle } = opened;
  opened.closed = true;
  try {
    for (const connection of idle.splice(0)) connection.closeSync();
    instance.closeSync();
  } catch {
    // closing is best effort
  }
  rmSync(tempDir, { recursive: true, force: true });
}

/**
 * Close this thread's database and remove its spill folder now (a worker about to be terminated
 * should call it: terminate() skips the exit handler). The next read opens a fresh one.
 */
export async function closeEngine(): Promise<void> {
  const current = engine;
  engine = null;
  if (!current) return;
  const opened = await current.catch(() => null);
  if (opened) closeNow(opened);
}

function getEngine(): Promise<Engine> {
  engine ??= createEngine().catch((err) => {
    engine = null;
    throw err;
  });
  return engine;
}

/** Whether this thread has started its engine (the service's thread never should: it reads in the data worker). */
export function engineStarted(): boolean {
  return engine !== null;
}

/** The private folder DuckDB spills to; files the engine derives (transcoded text) go there too. */
export async function engineTempDir(): Promise<string> {
  return (await getEngine()).tempDir;
}

/**
 * Run `work` on a connection of its own (one that reports progress when one is idle), then drop
 * every table and type it created (names from uniqueName), so the database holds nothing between calls.
 */
export async function withConnection<T>(work: (connection: Connection, created: string[]) => Promise<T>): Promise<T> {
  const opened = await getEngine();
  const lent = opened.idle.pop();
  const connection = lent ?? (await connect(opened.instance));
  const created: string[] = [];
  try {
    return await work(connection, created);
  } finally {
    let clean = true;
    for (const name of created.reverse()) {
      const kind = name.startsWith('tw_enum_') ? 'TYPE' : name.startsWith('tw_view_') ? 'VIEW' : 'TABLE';
      await connection.run(`DROP ${kind} IF EXISTS ${ident(name)}`).catch(() => (clean = false));
    }
    // Back to the pool while the engine is open and nothing of this read is left on it (its
    // temporary tables die with it); else closed.
    if (lent && clean && !opened.closed) opened.idle.push(connection);
    else connection.closeSync();
  }
}

/** TICKWORK_DATA_TRACE=sql: each statement's time and its first 160 characters on stderr. */
function traceStatements(connection: Connection): void {
  // runAndReadAll calls run: only the outer call is printed.
  let depth = 0;
  for (const method of ['run', 'runAndReadAll', 'stream'] as const) {
    const original = connection[method].bind(connection) as (sql: string) => Promise<unknown>;
    (connection as unknown as Record<string, unknown>)[method] = async (sql: string) => {
      const t0 = performance.now();
      depth += 1;
      try {
        return await original(sql);
      } finally {
        depth -= 1;
        if (depth === 0) process.stderr.write(`[sql] ${((performance.now() - t0) / 1000).toFixed(3)} s  ${sql.replace(/\s+/g, ' ').slice(0, 160)}\n`);
      }
    };
  }
}

/** True for DuckDB's error when a statement was interrupted. */
export function isInterrupt(err: unknown): boolean {
  return /INTERRUPT Error|Interrupted/i.test((err as Error)?.message ?? '');
}

/**
 * Run a statement that may take long: interrupted when `signal` aborts (the promise then rejects
 * with DuckDB's interrupt error), and `onProgress(share 0..1)` polled every `everyMs`.
 */
export async function runLong(
  connection: Connection,
  sql: string,
  options: { signal?: AbortSignal; onProgress?: (share: number) => void; everyMs?: number } = {},
): Promise<void> {
  const { signal, onProgress } = options;
  const interrupt = () => connection.interrupt();
  signal?.addEventListener('abort', interrupt, { once: true });
  const timer = onProgress
    ? setInterval(() => {
        const p = connection.progress.percentage;
        if (p > 0) onProgress(Math.min(1, p / 100));
      }, options.everyMs ?? 100)
    : null;
  try {
    if (signal?.aborted) throw new Error('INTERRUPT Error: Interrupted!');
    await connection.run(sql);
  } finally {
    if (timer) clearInterval(timer);
    signal?.removeEventListener('abort', interrupt);
  }
}

/** DuckDB's message without its "LINE n: …" echo of the statement, on one line. */
export function shortMessage(err: unknown): string {
  const text = (err as Error)?.message ?? String(err);
  const head = text.split(/\n\s*\n|\nLINE \d+:/)[0];
  return head.replace(/\s+/g, ' ').trim();
}
