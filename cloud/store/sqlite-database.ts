import { Database } from 'bun:sqlite';

/**
 * Opens (creating if needed) the cloud's SQLite database with the pragmas every connection
 * needs: WAL so readers never block the writer, `synchronous = FULL` so a commit survives power
 * loss (bun:sqlite already defaults to FULL in WAL; set it explicitly so it never drifts),
 * a busy timeout instead of immediate SQLITE_BUSY, and enforced foreign keys.
 *
 * @example
 * const db = openSqliteDatabase('./data/cloud.db');
 * db.run('CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY)');
 * db.close();
 */
export function openSqliteDatabase(path: string): Database {
  const db = new Database(path, { create: true, strict: true });
  db.run('PRAGMA journal_mode = WAL');
  db.run('PRAGMA synchronous = FULL');
  db.run('PRAGMA busy_timeout = 5000');
  db.run('PRAGMA foreign_keys = ON');
  return db;
}
