import { afterEach, beforeEach, describe, expect, test } from 'bun:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteDatabase } from './sqlite-database.ts';

// A type alias, not an interface: bun:sqlite's bindings want an index-signature-compatible record.
type NoteRow = { id: number; body: string };

describe('openSqliteDatabase', () => {
  let dir = '';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'hearth-sqlite-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  test('round-trips rows through a file across connections', () => {
    const path = join(dir, 'cloud.db');
    const first = openSqliteDatabase(path);
    first.run('CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
    const insert = first.prepare('INSERT INTO notes (id, body) VALUES ($id, $body)');
    const insertAll = first.transaction((rows: NoteRow[]) => {
      for (const row of rows) insert.run(row);
    });
    insertAll([
      { id: 1, body: 'table 4 asks for the bill' },
      { id: 2, body: 'kitchen out of oysters' },
    ]);
    first.close();

    const second = openSqliteDatabase(path);
    const rows = second.query<NoteRow, []>('SELECT id, body FROM notes ORDER BY id').all();
    expect(rows).toEqual([
      { id: 1, body: 'table 4 asks for the bill' },
      { id: 2, body: 'kitchen out of oysters' },
    ]);
    // WAL is a property of the file, so a fresh connection must still see it.
    const journal = second.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get();
    const synchronous = second.query<{ synchronous: number }, []>('PRAGMA synchronous').get();
    expect(journal?.journal_mode).toBe('wal');
    expect(synchronous?.synchronous).toBe(2);
    second.close();
  });

  test('applies the durability and safety pragmas', () => {
    const db = openSqliteDatabase(join(dir, 'pragmas.db'));
    const journal = db.query<{ journal_mode: string }, []>('PRAGMA journal_mode').get();
    const synchronous = db.query<{ synchronous: number }, []>('PRAGMA synchronous').get();
    const busy = db.query<{ timeout: number }, []>('PRAGMA busy_timeout').get();
    const foreignKeys = db.query<{ foreign_keys: number }, []>('PRAGMA foreign_keys').get();
    expect(journal?.journal_mode).toBe('wal');
    expect(synchronous?.synchronous).toBe(2);
    expect(busy?.timeout).toBe(5000);
    expect(foreignKeys?.foreign_keys).toBe(1);
    db.close();
  });
});
