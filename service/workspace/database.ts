/**
 * The workspace database: `workspace.db` (SQLite, WAL) in the workspace folder. This file and
 * the stores beside it (run-store.ts, workspace.ts) are the only places with SQL.
 *
 * Opening is careful with what it finds: a path that is a file, a file that is not SQLite or is
 * damaged, a database from a newer Tickwork — each is refused with a plain message and left as
 * it is; an older schema is backed up (`workspace.db.v<N>.bak`) and migrated; a folder that
 * cannot be written is opened read-only. Durability: WAL with synchronous=NORMAL survives a
 * crash or kill -9 of the process with every committed transaction.
 */
import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TickworkError } from '../../shared/errors.js';

export type Db = Database.Database;

export const DB_FILE = 'workspace.db';
/** The schema this Tickwork writes; older ones are migrated, newer ones refused. */
export const SCHEMA_VERSION = 3;

/** The first schema, as Tickwork 0.1's workspace had it. */
export const SCHEMA_V1 = `
CREATE TABLE datasets (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  source_kind TEXT NOT NULL,
  source TEXT NOT NULL,
  sheet TEXT,
  size INTEGER,
  mtime_ms REAL,
  sha256 TEXT,
  rows INTEGER,
  columns_json TEXT,
  choices_json TEXT,
  first_opened_at TEXT NOT NULL,
  last_opened_at TEXT NOT NULL,
  UNIQUE (source_kind, source, sheet)
);
CREATE TABLE runs (
  id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL UNIQUE,
  name TEXT NOT NULL,
  dataset_id TEXT,
  dataset_name TEXT NOT NULL,
  race_id TEXT,
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  config_json TEXT NOT NULL,
  preprocessing_json TEXT,
  backend_json TEXT,
  versions_json TEXT NOT NULL,
  parameters INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  duration_ms INTEGER,
  steps INTEGER,
  metrics_json TEXT,
  results_json TEXT,
  model_id TEXT,
  owner_pid INTEGER,
  owner_host TEXT
);
CREATE INDEX runs_dataset ON runs (dataset_id);
CREATE TABLE epochs (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  step INTEGER NOT NULL,
  train_json TEXT NOT NULL,
  validation_json TEXT,
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE steps (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step INTEGER NOT NULL,
  loss REAL,
  lr REAL,
  grad_norm REAL,
  PRIMARY KEY (run_id, step)
);
CREATE TABLE events (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  n INTEGER NOT NULL,
  step INTEGER NOT NULL,
  epoch INTEGER NOT NULL,
  kind TEXT NOT NULL,
  message TEXT NOT NULL,
  PRIMARY KEY (run_id, n)
);
CREATE TABLE checkpoints (
  run_id TEXT PRIMARY KEY REFERENCES runs (id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  model_json TEXT NOT NULL,
  weights BLOB NOT NULL
);
CREATE TABLE models (
  id TEXT PRIMARY KEY,
  run_id TEXT,
  kind TEXT NOT NULL,
  dir TEXT NOT NULL,
  source TEXT NOT NULL,
  info_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);
`;

/** Each migration takes the schema from `version - 1` to `version`. */
export const MIGRATIONS: ReadonlyArray<{ version: number; sql: string }> = [
  { version: 1, sql: SCHEMA_V1 },
  {
    // Names, tags and notes on runs; where a run was trained; LR sweeps; the app's saved state.
    version: 2,
    sql: `
ALTER TABLE runs ADD COLUMN tags_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN notes TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN origin TEXT NOT NULL DEFAULT 'local';
ALTER TABLE runs ADD COLUMN best_json TEXT;
ALTER TABLE runs ADD COLUMN surface_json TEXT;
ALTER TABLE runs ADD COLUMN group_id TEXT;
ALTER TABLE runs ADD COLUMN group_kind TEXT;
ALTER TABLE runs ADD COLUMN warnings_json TEXT NOT NULL DEFAULT '[]';
ALTER TABLE runs ADD COLUMN baselines_json TEXT;
ALTER TABLE runs ADD COLUMN importance_json TEXT;
CREATE INDEX runs_started ON runs (started_at);
CREATE TABLE sweeps (
  id TEXT PRIMARY KEY,
  dataset_id TEXT,
  config_json TEXT NOT NULL,
  result_json TEXT NOT NULL,
  created_at TEXT NOT NULL
);
CREATE TABLE snapshots (
  run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  epoch INTEGER NOT NULL,
  snapshot_json TEXT NOT NULL,
  PRIMARY KEY (run_id, epoch)
);
CREATE TABLE app_state (
  key TEXT PRIMARY KEY,
  value_json TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
`,
  },
  {
    // Each epoch's wall-clock seconds since training began (Compare's x by wall time); epochs
    // recorded before keep NULL: not known.
    version: 3,
    sql: `
ALTER TABLE epochs ADD COLUMN elapsed_s REAL;
`,
  },
];

export interface OpenedDatabase {
  db: Db;
  /** The folder, or null for an in-memory workspace (--no-workspace). */
  dir: string | null;
  readOnly: boolean;
  /** Something the user should know (read-only, migrated from an older schema), or null. */
  note: string | null;
}

const SQLITE_HEADER = 'SQLite format 3\u0000';

function moveAside(file: string): string {
  return `Move it aside (for example: mv "${file}" "${file}.bad") or choose another workspace with --workspace DIR.`;
}

/** The first 16 bytes of a SQLite file are its magic header; an empty file is a new database. */
function assertSqliteFile(file: string): void {
  const size = statSync(file).size;
  if (size === 0) return;
  const fd = openSync(file, 'r');
  try {
    const buffer = Buffer.alloc(16);
    readSync(fd, buffer, 0, 16, 0);
    if (buffer.toString('latin1') !== SQLITE_HEADER) {
      throw new TickworkError('bad_data', `${file} is not a Tickwork workspace database (it is not a SQLite file). It was left as it is. ${moveAside(file)}`);
    }
  } finally {
    closeSync(fd);
  }
}

function writable(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function schemaVersion(db: Db, file: string): number {
  try {
    return db.pragma('user_version', { simple: true }) as number;
  } catch (err) {
    if (locked(err)) throw err; // another process holds it: not damage (the caller tries again)
    throw new TickworkError('bad_data', `${file} is damaged and cannot be read (${(err as Error).message}). It was left as it is. ${moveAside(file)}`);
  }
}

/**
 * Migrate under the write lock (BEGIN IMMEDIATE), reading the version again inside it: two
 * processes opening a new workspace at the same moment migrate it once.
 */
function applyMigrations(db: Db): void {
  db.transaction(() => {
    const from = db.pragma('user_version', { simple: true }) as number;
    if (from >= SCHEMA_VERSION) return;
    for (const m of MIGRATIONS.filter((m) => m.version > from)) db.exec(m.sql);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  }).immediate();
}

function configure(db: Db, readOnly: boolean): void {
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  if (!readOnly) {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
  }
}

/** An in-memory workspace: the same code path, nothing kept (--no-workspace, tests). */
export function openMemoryDatabase(): OpenedDatabase {
  const db = new Database(':memory:');
  configure(db, false);
  applyMigrations(db);
  return { db, dir: null, readOnly: false, note: null };
}

/**
 * Open (creating if needed) the workspace database in `dir`; `readOnly` opens it for reading
 * only (as happens by itself when the folder cannot be written). Throws TickworkError with a
 * plain message.
 */
export function openWorkspaceDatabase(dir: string, options: { readOnly?: boolean } = {}): OpenedDatabase {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new TickworkError('bad_data', `The workspace ${dir} is a file, not a folder. Choose a folder with --workspace DIR (or TICKWORK_WORKSPACE).`);
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new TickworkError('io', `Cannot create the workspace folder ${dir}: ${(err as Error).message}. Choose another with --workspace DIR.`);
  }
  const file = join(dir, DB_FILE);
  const exists = existsSync(file);
  if (exists) {
    if (!statSync(file).isFile()) throw new TickworkError('bad_data', `${file} is not a file. ${moveAside(file)}`);
    assertSqliteFile(file);
  }
  const canWrite = !options.readOnly && writable(dir) && (!exists || writable(file));
  if (!canWrite) {
    if (!exists) {
      const opened = openMemoryDatabase();
      return { ...opened, dir, readOnly: true, note: `The workspace ${dir} is read-only and has no database yet: nothing is recorded in this session.` };
    }
    const db = new Database(file, { readonly: true, fileMustExist: true });
    let version: number;
    try {
      version = schemaVersion(db, file);
    } catch (err) {
      db.close();
      throw locked(err) ? heldLocked(file, err) : err;
    }
    if (version > SCHEMA_VERSION) {
      db.close();
      throw newerSchema(file, version);
    }
    configure(db, true);
    return { db, dir, readOnly: true, note: `The workspace ${dir} is read-only: its runs and models can be viewed and used, but new runs are not recorded.` };
  }
  // Look before writing anything: a newer schema must be left exactly as it is (no -wal file either).
  for (let attempt = 0; exists; attempt++) {
    const peek = new Database(file, { readonly: true, fileMustExist: true });
    try {
      const version = schemaVersion(peek, file);
      if (version > SCHEMA_VERSION) throw newerSchema(file, version);
      break;
    } catch (err) {
      if (!locked(err)) throw err;
      if (attempt >= LOCKED_RETRIES) throw heldLocked(file, err);
      sleepSync(50 + attempt * 50);
    } finally {
      peek.close();
    }
  }
  // Another process opening the same workspace at this moment (switching it to WAL, migrating it)
  // can make SQLite answer "database is locked" at once, past the busy timeout: that is not damage,
  // so the open is tried again for a while.
  for (let attempt = 0; ; attempt++) {
    const db = new Database(file);
    let note: string | null = null;
    try {
      configure(db, false);
      const version = schemaVersion(db, file);
      if (version < SCHEMA_VERSION) {
        if (version > 0) {
          const backup = `${file}.v${version}.bak`;
          db.exec(`VACUUM INTO '${backup.replace(/'/g, "''")}'`);
          note = `The workspace was upgraded from schema ${version} to ${SCHEMA_VERSION}; the old database was kept as ${backup}.`;
        }
        applyMigrations(db);
      }
      return { db, dir, readOnly: false, note };
    } catch (err) {
      db.close();
      if (locked(err)) {
        if (attempt < LOCKED_RETRIES) {
          sleepSync(50 + attempt * 50);
          continue;
        }
        throw heldLocked(file, err);
      }
      if (err instanceof TickworkError) throw err;
      throw new TickworkError('bad_data', `${file} is damaged and cannot be used (${(err as Error).message}). It was left as it is. ${moveAside(file)}`);
    }
  }
}

/** Tries of an open that found the database locked (about 10 s in all). */
const LOCKED_RETRIES = 20;

function locked(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'SQLITE_BUSY' || e?.code === 'SQLITE_LOCKED' || /database is locked|database table is locked/.test(e?.message ?? '');
}

function heldLocked(file: string, err: unknown): TickworkError {
  return new TickworkError('busy', `${file} is held locked by another process (${(err as Error).message}). Wait for it to finish, or choose another workspace with --workspace DIR.`);
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function newerSchema(file: string, version: number): TickworkError {
  return new TickworkError(
    'bad_data',
    `${file} was written by a newer Tickwork (workspace schema ${version}; this version reads up to ${SCHEMA_VERSION}). It was left untouched. Update Tickwork, or choose another workspace with --workspace DIR.`,
  );
}
