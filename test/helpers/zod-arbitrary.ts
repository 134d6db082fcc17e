/**
 * fast-check arbitraries shaped like a zod schema, for fuzzing request channels: each value is
 * what the schema expects, or something near it (a hostile string, a wrong type, a missing or
 * extra key), or anything at all. Reads zod 4's schema definitions (`_zod.def`); types it does
 * not know become arbitrary JSON.
 */
import fc from 'fast-check';
import type { z } from 'zod';

export interface Pools {
  /** Strings worth trying anywhere a string goes: paths, ids, encodings, injections. */
  strings: string[];
  /**
   * 'near' (default): every level may be replaced by a hostile value; most inputs fail
   * validation, at every field. 'valid': values of the schema's types, mostly whole objects,
   * with a rare hostile value: inputs that pass validation and reach the handlers.
   */
  mode?: 'near' | 'valid';
  /** Values that make sense for a field of this name (known ids, real column names): tried often there. */
  byKey?: Record<string, unknown[]>;
}

/** A field's value: often one of the values known for its name, otherwise one from its schema. */
function field(key: string, schema: z.ZodType, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const known = pools.byKey?.[key];
  const near = nearSchema(schema, pools, depth + 1);
  return known && known.length > 0 ? fc.oneof({ arbitrary: fc.constantFrom(...known), weight: 2 }, { arbitrary: near, weight: 1 }) : near;
}

type Def = { type: string; [key: string]: any };
const defOf = (schema: z.ZodType): Def => (schema as any)._zod.def;

const NUMBERS = [0, -0, 1, -1, 0.5, 1e-320, 1e308, -1e308, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 4096, 1e9];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty'];

export function nearSchema(schema: z.ZodType, pools: Pools, depth = 0): fc.Arbitrary<unknown> {
  const hostile = fc.oneof(
    fc.constantFrom(...pools.strings),
    fc.constantFrom(...NUMBERS),
    fc.constantFrom(null, true, false, [], {}, [[[]]], { __proto__: { polluted: true } }),
  );
  const shaped = depth > 5 ? fc.jsonValue({ maxDepth: 1 }) : shapedBy(defOf(schema), pools, depth);
  if (pools.mode === 'valid') return fc.oneof({ arbitrary: shaped, weight: 40 }, { arbitrary: hostile, weight: 1 });
  return fc.oneof({ arbitrary: shaped, weight: 6 }, { arbitrary: hostile, weight: 2 }, { arbitrary: fc.jsonValue({ maxDepth: 2 }), weight: 1 });
}

const SMALL = [1, 2, 3, 5, 10, 0.01, 0.1, 0.5, 0.9, 32, 100];
const OPTIONAL = new Set(['optional', 'default', 'prefault']);

/** Numbers inside the schema's own bounds (its checks: gt/gte/lt/lte, int), small ones first. */
function boundedNumbers(def: Def): fc.Arbitrary<number> {
  let min = -Infinity;
  let max = Infinity;
  let int = false;
  for (const check of def.checks ?? []) {
    const c = check._zod.def;
    if (c.check === 'greater_than') min = c.inclusive ? c.value : c.value + (Number.isInteger(c.value) ? 1e-6 : 1e-9);
    if (c.check === 'less_than') max = c.inclusive ? c.value : c.value - 1e-6;
    if (c.check === 'number_format' && /int/.test(c.format)) int = true;
  }
  const candidates = [...SMALL, 0, min, max].filter((n) => Number.isFinite(n) && n >= min && n <= max && (!int || Number.isInteger(n)));
  if (int && Number.isFinite(min)) candidates.push(Math.ceil(min));
  return fc.constantFrom(...(candidates.length > 0 ? candidates : [0]));
}

function shapedBy(def: Def, pools: Pools, depth: number): fc.Arbitrary<unknown> {
  const near = (s: z.ZodType) => nearSchema(s, pools, depth + 1);
  if (pools.mode === 'valid') {
    switch (def.type) {
      case 'object': {
        // Required keys always; optional ones sometimes (their defaults are valid).
        const shape = def.shape as Record<string, z.ZodType>;
        const keys = Object.keys(shape);
        const required = keys.filter((k) => !OPTIONAL.has(defOf(shape[k]).type));
        return fc.record(Object.fromEntries(keys.map((k) => [k, field(k, shape[k], pools, depth)])), { requiredKeys: required });
      }
      case 'string':
        return fc.constantFrom(...pools.strings);
      case 'number':
        return boundedNumbers(def);
      case 'enum':
        return fc.constantFrom(...Object.values(def.entries as Record<string, unknown>));
      case 'array':
        return fc.array(near(def.element), { minLength: 1, maxLength: 3 });
      case 'optional':
      case 'default':
      case 'prefault':
        return fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: near(def.innerType), weight: 1 });
      case 'record':
        return fc.dictionary(fc.constantFrom(...pools.strings.filter((x) => x.length < 40)), near(def.valueType), { maxKeys: 3 });
      default:
        break; // the same as 'near' below
    }
  }
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      const keys = Object.keys(shape);
      const fields = fc.record(Object.fromEntries(keys.map((k) => [k, field(k, shape[k], pools, depth)])), { requiredKeys: [] });
      // Sometimes every key is there (deeper validation), sometimes one extra (strict objects).
      const full = fc.record(Object.fromEntries(keys.map((k) => [k, field(k, shape[k], pools, depth)])));
      const extra = fc.tuple(fields, fc.constantFrom(...PROTO_KEYS, 'extra'), fc.jsonValue({ maxDepth: 1 })).map(([o, k, v]) => {
        const copy = JSON.parse(JSON.stringify(o ?? {}));
        copy[k] = v;
        return copy;
      });
      return fc.oneof({ arbitrary: full, weight: 3 }, { arbitrary: fields, weight: 2 }, { arbitrary: extra, weight: 1 });
    }
    case 'string':
      return fc.oneof(fc.constantFrom(...pools.strings), fc.string({ maxLength: 40 }), fc.string({ unit: 'binary', maxLength: 20 }));
    case 'number':
      return fc.oneof(fc.constantFrom(...NUMBERS), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'literal':
      return fc.constantFrom(...(def.values as unknown[]));
    case 'enum':
      return fc.oneof(fc.constantFrom(...Object.values(def.entries as Record<string, unknown>)), fc.string({ maxLength: 10 }));
    case 'array':
      return fc.oneof(
        { arbitrary: fc.array(near(def.element), { maxLength: 4 }), weight: 4 },
        // A long array of one value: size limits (rows: max 100,000; layers; tags).
        { arbitrary: fc.tuple(near(def.element), fc.constantFrom(60, 1_000, 120_000)).map(([v, n]) => {
          const small = JSON.stringify(v ?? null).length <= 64 ? v : 0; // keeps the message small enough to build
          return Array.from({ length: n }, () => small);
        }), weight: 1 },
      );
    case 'record':
      return fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom(...PROTO_KEYS)), near(def.valueType), { maxKeys: 4 });
    case 'union':
      return fc.oneof(...(def.options as z.ZodType[]).map(near));
    case 'optional':
    case 'default':
    case 'prefault':
      return fc.oneof(fc.constant(undefined), near(def.innerType));
    case 'nullable':
      return fc.oneof(fc.constant(null), near(def.innerType));
    case 'pipe':
      return near(def.in);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}
