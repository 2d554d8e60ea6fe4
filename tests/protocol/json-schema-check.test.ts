import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { emitShapes, UnrepresentableSchemaError } from '#protocol/check/emit-shapes.ts';
import {
  compileCheck,
  KEYWORDS,
  type SchemaBundle,
  SchemaKeywordError,
} from '#protocol/check/json-schema-check.ts';

const check = (bundle: SchemaBundle, input: unknown, name = 'root') =>
  compileCheck(bundle, name)(input);

describe('compileCheck', () => {
  it('refuses, when compiled, a keyword it does not interpret', () => {
    expect(() => compileCheck({ root: { type: 'string', multipleOf: 2 } }, 'root')).toThrow(
      SchemaKeywordError,
    );
    expect(() => compileCheck({ root: { properties: { a: { not: {} } } } }, 'root')).toThrow(
      /unknown JSON Schema keyword not/,
    );
    expect(() => compileCheck({ root: { $ref: 'missing' } }, 'root')).toThrow(/unknown schema/);
    expect(() => compileCheck({ root: { type: 'string', format: 'email' } }, 'root')).toThrow(
      /without a pattern/,
    );
  });

  it('checks types as zod does: finite numbers, safe integers, arrays apart from objects', () => {
    const bundle = {
      root: { type: ['integer', 'null'] },
      num: { type: 'number' },
      obj: { type: 'object' },
    };
    expect(check(bundle, 3).ok).toBe(true);
    expect(check(bundle, null).ok).toBe(true);
    expect(check(bundle, 1.5).ok).toBe(false);
    expect(check(bundle, 2 ** 53).ok).toBe(false);
    expect(check(bundle, Number.NaN, 'num').ok).toBe(false);
    expect(check(bundle, Number.POSITIVE_INFINITY, 'num').ok).toBe(false);
    expect(check(bundle, [], 'obj').ok).toBe(false);
    expect(check(bundle, null, 'obj').ok).toBe(false);
  });

  it('applies bounds, patterns, enums and consts', () => {
    const bundle = {
      s: { type: 'string', minLength: 2, maxLength: 3, pattern: '^[a-z]+$' },
      n: { type: 'number', minimum: 1, maximum: 2 },
      a: { type: 'array', items: { enum: ['x', 'y'] }, minItems: 1, maxItems: 2 },
      c: { const: 'k' },
    };
    expect(['ab', 'abc'].map((v) => check(bundle, v, 's').ok)).toEqual([true, true]);
    expect(['a', 'abcd', 'Ab'].map((v) => check(bundle, v, 's').ok)).toEqual([false, false, false]);
    expect([1, 2, 0.5, 3].map((v) => check(bundle, v, 'n').ok)).toEqual([true, true, false, false]);
    expect([['x'], [], ['x', 'y', 'x'], ['z']].map((v) => check(bundle, v, 'a').ok)).toEqual([
      true,
      false,
      false,
      false,
    ]);
    expect([check(bundle, 'k', 'c').ok, check(bundle, 'K', 'c').ok]).toEqual([true, false]);
  });

  it('strips unknown members by default, keeps them with {}, refuses them with false', () => {
    const properties = { a: { type: 'string' } };
    const input = { a: 'x', b: 1 };
    expect(check({ root: { type: 'object', properties } }, input)).toEqual({
      ok: true,
      value: { a: 'x' },
    });
    expect(
      check({ root: { type: 'object', properties, additionalProperties: {} } }, input),
    ).toEqual({ ok: true, value: input });
    expect(
      check({ root: { type: 'object', properties, additionalProperties: false } }, input).ok,
    ).toBe(false);
  });

  it('fills defaults (through a $ref too) with a fresh copy, and never changes its input', () => {
    const bundle = {
      list: { type: 'array', items: { type: 'string' }, default: [] },
      root: {
        type: 'object',
        properties: { tags: { $ref: 'list' }, n: { type: 'integer', default: 0 } },
        required: [],
      },
    };
    const input = {};
    const first = check(bundle, input);
    const second = check(bundle, input);
    expect(first).toEqual({ ok: true, value: { tags: [], n: 0 } });
    expect(input).toEqual({});
    if (first.ok && second.ok) {
      expect((first.value as { tags: unknown }).tags).not.toBe(
        (second.value as { tags: unknown }).tags,
      );
    }
  });

  it('reports every missing or bad member with its path', () => {
    const bundle = {
      root: {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'array', items: { type: 'integer' } } },
        required: ['a', 'b'],
      },
    };
    const result = check(bundle, { b: [1, 'x'] });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.issues.map((i) => i.path)).toEqual(['a', 'b.1']);
  });

  it('picks a union branch by its const member, and follows recursive $refs', () => {
    const bundle = {
      root: {
        oneOf: [
          { type: 'object', properties: { kind: { const: 'leaf' } }, required: ['kind'] },
          {
            type: 'object',
            properties: {
              kind: { const: 'node' },
              children: { type: 'array', items: { $ref: 'root' } },
            },
            required: ['kind', 'children'],
          },
        ],
      },
    };
    const tree = { kind: 'node', children: [{ kind: 'leaf' }, { kind: 'node', children: [] }] };
    expect(check(bundle, tree)).toEqual({ ok: true, value: tree });
    const bad = check(bundle, { kind: 'node', children: [{ kind: 'twig' }] });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.issues[0]?.path).toBe('children.0.kind');
  });

  it('takes the first passing branch of anyOf, and `required` alone checks presence', () => {
    const bundle = {
      root: {
        type: 'object',
        properties: { a: { type: 'string' }, b: { type: 'string' } },
        anyOf: [{ required: ['a'] }, { required: ['b'] }],
      },
    };
    expect(check(bundle, { a: 'x' }).ok).toBe(true);
    expect(check(bundle, { b: 'y' }).ok).toBe(true);
    expect(check(bundle, {}).ok).toBe(false);
  });

  it('lists the keywords it knows', () => {
    expect(KEYWORDS).toContain('$ref');
    expect(new Set(KEYWORDS).size).toBe(KEYWORDS.length);
  });
});

describe('emitShapes', () => {
  it('fails on a refinement it was not given the JSON Schema of', () => {
    const Refined = z.object({ a: z.number() }).refine((v) => v.a > 1);
    expect(() => emitShapes({ Refined })).toThrow(UnrepresentableSchemaError);
    const bundle = emitShapes(
      { Refined },
      { refinements: new Map([[Refined, { properties: { a: { minimum: 2 } } }]]) },
    );
    // The given JSON Schema is merged in: the checker now refuses what the refine refuses.
    expect(bundle.Refined).toMatchObject({ properties: { a: { minimum: 2 } } });
  });

  it('fails on what changes the value or zod would drop silently', () => {
    const failing = {
      trim: z.string().trim(),
      multipleOf: z.number().multipleOf(5),
      transform: z.object({ a: z.string().transform((s) => s.length) }),
      preprocess: z.preprocess((v) => v, z.string()),
      coerce: z.coerce.number(),
      catch: z.string().catch('x'),
    };
    for (const [name, schema] of Object.entries(failing)) {
      expect(() => emitShapes({ [name]: schema }), name).toThrow(UnrepresentableSchemaError);
    }
  });

  it('fails on a keyword the checker does not interpret', () => {
    const R = z.number().refine((n) => n !== 1);
    expect(() => emitShapes({ R }, { refinements: new Map([[R, { not: { const: 1 } }]]) })).toThrow(
      SchemaKeywordError,
    );
    expect(() => emitShapes({ P: z.tuple([z.string()]) })).toThrow(UnrepresentableSchemaError);
  });

  it('checks a zod string format through the pattern zod emits beside it', () => {
    const bundle = emitShapes({ E: z.email() });
    expect(check(bundle, 'a@b.co', 'E').ok).toBe(true);
    expect(check(bundle, 'a@b', 'E').ok).toBe(false);
  });

  it('refers to external shapes by name instead of repeating them', () => {
    const Id = z.string().regex(/^[a-z]+$/);
    const Pair = z.object({ left: Id, right: Id });
    const bundle = emitShapes({ Pair }, { external: { Id } });
    expect(Object.keys(bundle)).toEqual(['Pair']);
    expect(bundle.Pair).toMatchObject({ properties: { left: { $ref: 'Id' } } });
  });
});
