import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// server/ is code the cloud and the relay both run: it imports protocol and libraries only,
// the cloud and the relay never import each other, and the browser code never imports it.

const repo = resolve(import.meta.dirname, '..');
const folder = (name: string) => join(repo, name);

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === 'node_modules' || entry.name === 'dist') return [];
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|mts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

const specifiers = (text: string): string[] =>
  [
    ...text.matchAll(
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? '');

/** The repository folders a file's relative imports reach. */
function foldersReached(file: string): string[] {
  return specifiers(readFileSync(file, 'utf8'))
    .filter((spec) => spec.startsWith('.'))
    .map((spec) => relative(repo, resolve(file, '..', spec)).split(sep)[0] ?? '');
}

const within = (name: string): [string, string][] =>
  sources(folder(name)).map((f) => [relative(repo, f), f]);

describe('server boundaries', () => {
  it('finds the sources', () => {
    for (const name of ['server', 'cloud', 'relay', 'web'])
      expect(sources(folder(name)).length, name).toBeGreaterThan(0);
  });

  it.each(within('server'))('%s imports protocol, libraries and server files only', (_, file) => {
    for (const spec of specifiers(readFileSync(file, 'utf8'))) {
      if (!spec.startsWith('.')) continue;
      expect(resolve(file, '..', spec).startsWith(folder('server') + sep), spec).toBe(true);
    }
  });

  it('cloud/ never imports relay/, relay/ never imports cloud/', () => {
    for (const [other, name] of [
      ['relay', 'cloud'],
      ['cloud', 'relay'],
    ] as const)
      for (const [path, file] of within(name))
        expect(foldersReached(file), path).not.toContain(other);
  });

  it('cloud/ and relay/ keep no copies of what server/ writes once', () => {
    const copies = [
      /\bfunction (problemResponse|readJsonBody|hasValidPayloadHashSync|requestContext)\b/,
      // A request body reader of their own (relay/store's readJson parses stored rows).
      /\basync function readJson\b/,
    ];
    const libraries = /from ['"](pino|prom-client)['"]/;
    for (const name of ['cloud', 'relay'])
      for (const [path, file] of within(name)) {
        const text = readFileSync(file, 'utf8');
        for (const copy of copies) expect(text, path).not.toMatch(copy);
        expect(
          text,
          `${path}: logs and metrics go through server/logger.ts and metrics.ts`,
        ).not.toMatch(libraries);
      }
  });

  it('web/ never imports server/', () => {
    for (const [path, file] of within('web'))
      expect(foldersReached(file), path).not.toContain('server');
  });
});
