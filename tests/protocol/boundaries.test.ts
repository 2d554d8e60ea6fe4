import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../protocol');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );
}

const specifiers = (text: string): string[] =>
  [
    ...text.matchAll(
      /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2] ?? '');

describe('protocol boundaries', () => {
  const files = sources(root);

  it('finds the protocol sources', () => expect(files.length).toBeGreaterThan(40));

  it.each(files.map((f) => [relative(root, f), f]))(
    '%s imports only protocol files, zod and ulid',
    (_name, file) => {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (spec === 'zod' || spec === 'ulid') continue;
        expect(spec.startsWith('.'), spec).toBe(true);
        expect(resolve(file, '..', spec).startsWith(root), spec).toBe(true);
      }
    },
  );

  it('uses no runtime globals of Node or Bun', () => {
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      expect(text, file).not.toMatch(/\b(process|Buffer|Bun|require|__dirname)\b[.(]/);
    }
  });
});
