/*
 * A small, zod-free checker for the JSON Schema that `z.toJSONSchema` emits for our shapes
 * (`emit-shapes.ts`): where a bundle must stay small (the service worker) it parses what zod
 * would parse, from schemas generated from the zod ones, so the two cannot drift by hand.
 *
 * It interprets exactly the keywords listed in KEYWORDS and throws when it meets any other
 * (at build time through `emitShapes`, and again when a schema is compiled), so a new zod
 * feature never passes unchecked. Where zod and JSON Schema differ, it follows zod:
 *
 * - an object without `additionalProperties` is zod's default (strip): unknown keys are
 *   dropped from the output; `{}` keeps them (`z.looseObject`), `false` refuses them
 *   (`z.strictObject`); an `undefined` member counts as absent;
 * - `optional` (ours, not JSON Schema's) is `required` the other way round, in fewer bytes:
 *   every member in `properties` is required but those it lists (the emitter writes it in
 *   place of `required`, which would name most members); a `default` still fills a missing one;
 * - `properties` beside a `oneOf`/`anyOf` whose branches have `properties` too are members
 *   every branch shares (the emitter writes them once, e.g. the operations' envelope): each
 *   branch is checked as if it declared them itself, before its own members, with the
 *   parent's `additionalProperties`; a branch never declares one of them again (the emitter
 *   refuses that);
 * - `default` fills a missing member (a copy of the value, not itself checked), as zod does;
 * - `number` and `integer` are finite (`integer`: a safe integer); string lengths count UTF-16
 *   code units; `pattern` is a JavaScript RegExp, tested unanchored;
 * - `oneOf` and `anyOf` take the first branch that passes (zod emits `oneOf` only for a
 *   discriminated union, whose branches exclude each other); when every branch is an object
 *   with a `const` member of the same name, that member picks the branch at once;
 * - `format` is an annotation: zod emits it beside the `pattern` that does the checking, and a
 *   `format` without a `pattern` is refused when compiled;
 * - `$ref` names another schema of the same bundle.
 *
 * The output is a new value (defaults filled, unknown keys stripped); the input is not changed.
 */

/** A JSON Schema as `emitShapes` writes it: a plain object, or `true`/`false`. */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** Named schemas; each `$ref` is the name of another one. */
export type SchemaBundle = { readonly [name: string]: JsonSchema };

export interface CheckIssue {
  /** Dotted path to the value, `(root)` for the whole input. */
  readonly path: string;
  readonly message: string;
}

export type CheckResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly issues: readonly CheckIssue[] };

/** A compiled schema: parses untrusted input; never throws. */
export type Check<T> = (input: unknown) => CheckResult<T>;

/** Every keyword the checker understands; any other makes `compileCheck` throw. */
export const KEYWORDS = [
  '$ref',
  'type',
  'properties',
  'required',
  'optional',
  'additionalProperties',
  'items',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'pattern',
  'format',
  'enum',
  'const',
  'anyOf',
  'oneOf',
  'default',
  'description',
] as const;

const KNOWN: ReadonlySet<string> = new Set(KEYWORDS);

/** Thrown when a schema uses what the checker does not interpret: a build error. */
export class SchemaKeywordError extends Error {
  override readonly name = 'SchemaKeywordError';
}

type Node = { readonly [keyword: string]: unknown };
type Issues = CheckIssue[];
/** Returns the output value, or FAIL after pushing at least one issue. */
type Step = (value: unknown, issues: Issues) => unknown;

const FAIL: unique symbol = Symbol('fail');

const kindOf = (value: unknown): string =>
  value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;

const isType = (type: string): ((value: unknown) => boolean) =>
  type === 'integer'
    ? Number.isSafeInteger
    : type === 'number'
      ? Number.isFinite
      : (value) => kindOf(value) === type;

/** Length and range keywords: what each measures, and whether the limit is a floor. */
const BOUNDS: readonly (readonly [string, string, boolean])[] = [
  ['minLength', 'string', true],
  ['maxLength', 'string', false],
  ['minItems', 'array', true],
  ['maxItems', 'array', false],
  ['minimum', 'number', true],
  ['maximum', 'number', false],
];

const measure = (value: unknown): number =>
  typeof value === 'number' ? value : (value as string | unknown[]).length;

const copy = (value: unknown): unknown =>
  value === undefined ? undefined : JSON.parse(JSON.stringify(value));

/** The members an object needs: every declared one but those `optional` lists, or `required`. */
const requiredOf = (node: Node | undefined): string[] =>
  node?.optional
    ? Object.keys(node.properties ?? {}).filter((key) => !(node.optional as string[]).includes(key))
    : ((node?.required ?? []) as string[]);

/**
 * Compiles the schema `name` of `bundle` (and every schema it refers to) into a parser.
 * Throws SchemaKeywordError for an unknown keyword, a missing `$ref` or a `format` alone.
 *
 * @example
 * const parseOp = compileCheck<Operation>(WIRE_SHAPES, 'Operation');
 * const parsed = parseOp(JSON.parse(body));
 * if (!parsed.ok) return badRequest(parsed.issues);
 */
export function compileCheck<T>(bundle: SchemaBundle, name: string): Check<T> {
  const compiled = new Map<string, Step>();
  // The path to the value being checked, kept as a stack so a value that passes costs no string.
  const trail: (string | number)[] = [];
  const fail = (issues: Issues, message: string, key?: string | number): typeof FAIL => {
    const path = key === undefined ? trail : [...trail, key];
    issues.push({ path: path.join('.') || '(root)', message });
    return FAIL;
  };
  const child = (step: Step, value: unknown, key: string | number, issues: Issues): unknown => {
    trail.push(key);
    const result = step(value, issues);
    trail.pop();
    return result;
  };

  const ref = (target: string): Step => {
    let step = compiled.get(target);
    if (!step) {
      const schema = bundle[target];
      if (schema === undefined) throw new SchemaKeywordError(`$ref to unknown schema ${target}`);
      // Placeholder first: a schema may refer to itself.
      let inner: Step = () => FAIL;
      step = (value, issues) => inner(value, issues);
      compiled.set(target, step);
      inner = compile(schema);
    }
    return step;
  };

  const compile = (schema: JsonSchema): Step => {
    if (schema === true) return (value) => value;
    if (schema === false) return (_value, issues) => fail(issues, 'not allowed');
    for (const key of Object.keys(schema)) {
      if (!KNOWN.has(key)) throw new SchemaKeywordError(`unknown JSON Schema keyword ${key}`);
    }
    if (schema.format !== undefined && schema.pattern === undefined) {
      throw new SchemaKeywordError(`format ${String(schema.format)} without a pattern`);
    }
    for (const keyword of ['anyOf', 'oneOf']) {
      const branches = schema[keyword] as Node[] | undefined;
      if (schema.properties && branches?.every((branch) => branch.properties)) {
        // Shared members: give them back to each branch, which is then checked as emitted.
        const {
          [keyword]: _,
          properties,
          required,
          optional,
          additionalProperties,
          ...rest
        } = schema;
        return compile({
          ...rest,
          [keyword]: branches.map((branch) => ({
            additionalProperties,
            ...branch,
            properties: { ...(properties as Node), ...(branch.properties as Node) },
            required: [...requiredOf(schema), ...requiredOf(branch)],
            optional: undefined,
          })),
        });
      }
    }
    const steps: Step[] = [];
    if (typeof schema.$ref === 'string') steps.push(ref(schema.$ref));
    if (schema.type !== undefined) {
      const types = ([] as string[]).concat(schema.type as string | string[]);
      const tests = types.map(isType);
      const [only] = tests;
      const test =
        only && tests.length === 1 ? only : (value: unknown) => tests.some((t) => t(value));
      steps.push((value, issues) =>
        test(value) ? value : fail(issues, `expected ${types.join(' or ')}`),
      );
    }
    if ('const' in schema || schema.enum !== undefined) {
      const allowed = 'const' in schema ? [schema.const] : (schema.enum as unknown[]);
      steps.push((value, issues) =>
        allowed.includes(value) ? value : fail(issues, `expected ${allowed.join(' | ')}`),
      );
    }
    for (const [keyword, kind, floor] of BOUNDS) {
      const limit = schema[keyword] as number | undefined;
      if (limit === undefined) continue;
      steps.push((value, issues) =>
        kindOf(value) !== kind || (floor ? measure(value) >= limit : measure(value) <= limit)
          ? value
          : fail(issues, `${keyword} ${limit}`),
      );
    }
    if (typeof schema.pattern === 'string') {
      const pattern = new RegExp(schema.pattern);
      steps.push((value, issues) =>
        typeof value !== 'string' || pattern.test(value)
          ? value
          : fail(issues, `must match ${pattern}`),
      );
    }
    if (schema.items !== undefined) {
      const item = compile(schema.items as JsonSchema);
      steps.push((value, issues) => {
        if (!Array.isArray(value)) return value;
        const out = value.map((element, index) => child(item, element, index, issues));
        return out.includes(FAIL) ? FAIL : out;
      });
    }
    if (schema.properties !== undefined || schema.additionalProperties !== undefined) {
      steps.push(objectStep(schema));
    } else if (schema.required !== undefined) {
      // `required` alone (an anyOf branch standing for a refinement): only presence is checked.
      const required = schema.required as string[];
      steps.push((value, issues) => {
        if (kindOf(value) !== 'object') return value;
        const missing = required.filter((key) => (value as Node)[key] === undefined);
        for (const key of missing) fail(issues, 'required', key);
        return missing.length > 0 ? FAIL : value;
      });
    }
    for (const keyword of ['anyOf', 'oneOf']) {
      if (schema[keyword] !== undefined) steps.push(unionStep(schema[keyword] as JsonSchema[]));
    }
    return (value, issues) => {
      let out = value;
      for (const step of steps) {
        out = step(out, issues);
        if (out === FAIL) return FAIL;
      }
      return out;
    };
  };

  const objectStep = (schema: Node): Step => {
    // A default may sit on the member or on the schema it refers to (a shared one).
    const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>).map(
      ([key, member]) => [key, compile(member), resolve(member, bundle, 'default')] as const,
    );
    const declared = new Set(properties.map(([key]) => key));
    const required = requiredOf(schema);
    const extra =
      schema.additionalProperties === undefined
        ? null
        : compile(schema.additionalProperties as JsonSchema);
    return (value, issues) => {
      if (kindOf(value) !== 'object') return value;
      const record = value as Node;
      const out: Record<string, unknown> = {};
      let failed = false;
      const put = (key: string, result: unknown) => {
        if (result === FAIL) failed = true;
        else out[key] = result;
      };
      for (const [key, step, member] of properties) {
        if (record[key] !== undefined) put(key, child(step, record[key], key, issues));
        else if (member) out[key] = copy(member.default);
        else if (required.includes(key)) put(key, fail(issues, 'required', key));
      }
      if (extra) {
        for (const key of Object.keys(record)) {
          if (!declared.has(key) && record[key] !== undefined) {
            put(key, child(extra, record[key], key, issues));
          }
        }
      }
      return failed ? FAIL : out;
    };
  };

  const unionStep = (branches: JsonSchema[]): Step => {
    const steps = branches.map(compile);
    const tag = discriminator(branches, bundle);
    return (value, issues) => {
      if (tag && kindOf(value) === 'object') {
        const step = steps[tag.values.indexOf((value as Node)[tag.key])];
        return step
          ? step(value, issues)
          : fail(issues, `expected ${tag.values.join(' | ')}`, tag.key);
      }
      const tried: Issues = [];
      for (const step of steps) {
        const result = step(value, tried);
        if (result !== FAIL) return result;
      }
      issues.push(...tried);
      return FAIL;
    };
  };

  const step = ref(name);
  return (input) => {
    const issues: Issues = [];
    trail.length = 0;
    const value = step(input, issues);
    return value === FAIL ? { ok: false, issues } : { ok: true, value: value as T };
  };
}

/** The schema itself, or the one its `$ref` chain leads to, when that one has `keyword`. */
function resolve(
  schema: JsonSchema | undefined,
  bundle: SchemaBundle,
  keyword: string,
): Node | undefined {
  if (typeof schema !== 'object') return undefined;
  if (keyword in schema) return schema;
  return typeof schema.$ref === 'string'
    ? resolve(bundle[schema.$ref], bundle, keyword)
    : undefined;
}

/** The member whose `const` tells the branches apart, when every branch has one. */
function discriminator(
  branches: readonly JsonSchema[],
  bundle: SchemaBundle,
): { key: string; values: unknown[] } | null {
  const members = branches.map((branch) => {
    const node = resolve(branch, bundle, 'properties');
    const properties = (node?.properties ?? {}) as Record<string, Node>;
    const required = requiredOf(node);
    return Object.fromEntries(
      Object.entries(properties).filter(
        ([key, member]) => required.includes(key) && 'const' in member,
      ),
    );
  });
  for (const key of Object.keys(members[0] ?? {})) {
    const values = members.map((m) => (m[key] ? m[key].const : FAIL));
    if (!values.includes(FAIL) && new Set(values).size === values.length) return { key, values };
  }
  return null;
}
