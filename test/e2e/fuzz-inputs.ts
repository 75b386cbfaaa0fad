// Bad inputs for the fuzz spec, generated from JSON schemas (the server's OpenAPI document, and the
// shared socket protocol's zod schemas) with a seeded generator, so a failing case is replayed by
// its seed. Every value made here is meant to be refused: a valid base with exactly one bad part.

/** The subset of JSON Schema that zod's toJSONSchema and the OpenAPI document use. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  propertyNames?: JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  default?: unknown;
  $ref?: string;
}

/** A seeded source of choices. */
export class Rng {
  private a: number;
  constructor(seed: number) {
    this.a = seed >>> 0;
  }
  /** mulberry32, as in test/support/seeded-random.ts, kept as a method for the helpers below. */
  next(): number {
    this.a = (this.a + 0x6d2b79f5) >>> 0;
    let t = this.a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

/** A schema-invalid replacement for one field, and whether it is big enough to be refused as a body. */
export interface BadValue {
  value: unknown;
  why: string;
}

/** Schedules no parser accepts; time zones no IANA database has; ids no route accepts. */
export const BAD_SCHEDULES = ['61 * * * *', '* 25 * * *', '* * 32 * *', '*/0 * * * *', '@every 0s', '@every -5s', 'not a schedule', '@yearly @daily', '* * * * * * * *', '0 0 30 2 *'];
export const BAD_TIME_ZONES = ['Mars/Olympus', '../../../etc/localtime', 'Europe/../../etc/passwd', 'UTC+25:00', 'America/New York', '\u0000UTC'];
export const BAD_PATH_IDS = ['-1', '0', '01', '%201', '+1', '1.5', 'abc', '1e400', '99999999999999999999999', '9007199254740993', '..%2F..%2Fetc%2Fpasswd', '%2e%2e', '..', '%00', '%E0%A4%A', '%20', '0x10', '1%3BDROP%20TABLE%20cronjob', 'NaN', 'Infinity', '%EF%BC%91', encodeURIComponent('../'.repeat(20) + 'etc/passwd'), 'a'.repeat(300)];
const BAD_QUERY_NUMBERS = ['-5', '05', '%205', '+5', 'abc', '1.5', '1e400', '', '0x1f', '99999999999999999999', 'NaN', '%00', '..%2F..'];
const PATH_TRAVERSALS = ['../../../../etc/passwd', '..\\..\\windows\\win.ini', '/etc/shadow', '%2e%2e%2f%2e%2e%2f', 'file:///etc/passwd'];

/** `$ref`s of the OpenAPI document resolved against its components, `anyOf` with a single branch unwrapped. */
export function deref(schema: JsonSchema, components: Record<string, JsonSchema> = {}): JsonSchema {
  if (schema.$ref) return deref(components[schema.$ref.replace('#/components/schemas/', '')] ?? {}, components);
  return schema;
}

function typesOf(s: JsonSchema): string[] {
  if (s.anyOf) return s.anyOf.flatMap(typesOf);
  if (s.const !== undefined) return [s.const === null ? 'null' : typeof s.const];
  if (s.enum) return [...new Set(s.enum.map((v) => (v === null ? 'null' : typeof v)))];
  if (Array.isArray(s.type)) return s.type;
  return s.type ? [s.type] : [];
}

/**
 * A value the schema surely refuses, chosen by `rng`: a wrong type, a number or string out of
 * range, an enum value not listed, a pattern broken. `field` (the last path segment) adds invalid
 * cron expressions and time zones for fields named so. Returns null when nothing is surely invalid.
 */
export function badValueFor(schema: JsonSchema, field: string, rng: Rng): BadValue | null {
  const types = typesOf(schema);
  if (types.length === 0) return null; // anything goes (`{}`, z.unknown)
  const options: BadValue[] = [];
  const wrongTypes: [string, unknown][] = [['string', 'a string'], ['number', 12.5], ['boolean', true], ['object', { nested: 1 }], ['array', [1, 'two']], ['null', null]];
  for (const [t, v] of wrongTypes) {
    const accepted = types.includes(t) || (t === 'number' && types.includes('integer'));
    if (!accepted) options.push({ value: v, why: `${t} instead of ${types.join('|')}` });
  }
  const branches = schema.anyOf ?? [schema];
  // Constraints only count when every branch of that type agrees; a union of string forms is skipped.
  const only = (t: string): JsonSchema | null => {
    const bs = branches.filter((b) => typesOf(b).includes(t));
    return bs.length === 1 && typesOf(bs[0]).length === 1 ? bs[0] : null;
  };
  const num = only('integer') ?? only('number');
  if (num) {
    if (num.type === 'integer') options.push({ value: 2.5, why: 'a fraction for an integer' });
    const min = num.minimum ?? (num.exclusiveMinimum !== undefined ? num.exclusiveMinimum : undefined);
    if (min !== undefined && min > -1e15) options.push({ value: min - 1, why: `below the minimum ${min}` }, { value: -1e300, why: 'hugely negative' });
    if (num.maximum !== undefined && num.maximum < 1e15) options.push({ value: num.maximum + 1, why: `above the maximum ${num.maximum}` }, { value: 1e300, why: 'hugely positive' });
  }
  const str = only('string');
  if (str) {
    if (str.enum) options.push({ value: 'not-a-listed-value', why: 'not one of the enum' }, { value: PATH_TRAVERSALS[rng.int(PATH_TRAVERSALS.length)], why: 'path traversal for an enum' });
    else if (str.const !== undefined) options.push({ value: `${String(str.const)}x`, why: 'not the constant' });
    if (str.maxLength !== undefined) options.push({ value: 'x'.repeat(str.maxLength + 1), why: `longer than ${str.maxLength}` });
    if ((str.minLength ?? 0) > 0) options.push({ value: '', why: 'empty' });
    if (str.pattern && !new RegExp(str.pattern).test('\u0000\n../')) options.push({ value: '\u0000\n../', why: `breaks the pattern ${str.pattern}` });
    if (/schedule/i.test(field)) options.push(...BAD_SCHEDULES.map((v) => ({ value: v, why: 'an invalid schedule' })));
    if (/time ?zone|^tz$/i.test(field)) options.push(...BAD_TIME_ZONES.map((v) => ({ value: v, why: 'an invalid time zone' })));
    if (str.format === 'date-time') options.push({ value: '2024-13-45T25:61:00Z', why: 'not a date' });
  }
  const arr = only('array');
  if (arr) {
    if (arr.maxItems !== undefined && arr.maxItems <= 10_000) options.push({ value: Array.from({ length: arr.maxItems + 1 }, () => exampleFor(arr.items ?? {}, field)), why: `more than ${arr.maxItems} items` });
    if ((arr.minItems ?? 0) > 0) options.push({ value: [], why: 'no items' });
    const item = arr.items && badValueFor(arr.items, field, rng);
    if (item) options.push({ value: [exampleFor(arr.items ?? {}, field), item.value], why: `an item: ${item.why}` });
  }
  const obj = only('object');
  if (obj?.propertyNames?.pattern) options.push({ value: { '1 bad-key\u0000': 'x' }, why: `a key breaking ${obj.propertyNames.pattern}` });
  if (obj?.propertyNames?.maxLength !== undefined) options.push({ value: { ['k'.repeat(obj.propertyNames.maxLength + 1)]: 'x' }, why: 'a key too long' });
  return options.length ? rng.pick(options) : null;
}

/** Valid-looking values by field name where the schema alone cannot say (a command spec, a cron). */
const EXAMPLES: Record<string, unknown> = {
  name: 'fuzz-base',
  schedule: '@yearly',
  timezone: 'UTC',
  runner: 'command',
  spec: { command: 'true' },
  enabled: false,
};

/** A value the schema accepts: its default, an example by field name, or the smallest that fits. */
export function exampleFor(schema: JsonSchema, field: string): unknown {
  if (field in EXAMPLES) return EXAMPLES[field];
  if (schema.default !== undefined) return schema.default;
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.anyOf) return exampleFor(schema.anyOf.find((b) => !typesOf(b).includes('null')) ?? schema.anyOf[0], field);
  switch (typesOf(schema)[0]) {
    case 'integer':
    case 'number':
      return Math.max(schema.minimum ?? 1, (schema.exclusiveMinimum ?? 0) + 1);
    case 'string':
      return 'x'.repeat(Math.max(1, schema.minLength ?? 1));
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => exampleFor(schema.items ?? {}, field));
    case 'object':
      return objectExample(schema);
    default:
      return null;
  }
}

/** The required properties of an object schema, each with an example value. */
export function objectExample(schema: JsonSchema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of schema.required ?? []) out[k] = exampleFor(schema.properties?.[k] ?? {}, k);
  return out;
}

/** Paths (up to `depth` levels) to every property of an object schema, with the property's schema. */
export function fieldPaths(schema: JsonSchema, depth = 3, prefix: string[] = []): { path: string[]; schema: JsonSchema }[] {
  const out: { path: string[]; schema: JsonSchema }[] = [];
  const obj = schema.anyOf?.find((b) => typesOf(b).includes('object')) ?? schema;
  for (const [k, s] of Object.entries(obj.properties ?? {})) {
    out.push({ path: [...prefix, k], schema: s });
    const inner = s.anyOf?.find((b) => b.properties) ?? s;
    if (depth > 1 && inner.properties) out.push(...fieldPaths(inner, depth - 1, [...prefix, k]));
  }
  return out;
}

/** `base` with the value at `path` replaced (objects on the way created from the schema's examples). */
export function withValueAt(base: Record<string, unknown>, path: string[], value: unknown, schema: JsonSchema): Record<string, unknown> {
  const copy = structuredClone(base);
  let at: Record<string, unknown> = copy;
  let s = schema;
  for (const key of path.slice(0, -1)) {
    s = (s.anyOf?.find((b) => b.properties) ?? s).properties?.[key] ?? {};
    const inner = s.anyOf?.find((b) => b.properties) ?? s;
    if (typeof at[key] !== 'object' || at[key] === null || Array.isArray(at[key])) at[key] = objectExample(inner);
    at = at[key] as Record<string, unknown>;
  }
  at[path[path.length - 1]] = value;
  return copy;
}

/** A bad value for a query parameter, as it goes into the URL (already encoded). */
export function badQueryValue(schema: JsonSchema, name: string, rng: Rng): { raw: string; why: string } | null {
  const types = typesOf(schema);
  if (types.includes('integer') || types.includes('number')) {
    const extra: string[] = [];
    if (schema.maximum !== undefined && schema.maximum < 1e15) extra.push(String(schema.maximum + 1));
    if (schema.minimum !== undefined) extra.push(String(schema.minimum - 1));
    return { raw: rng.pick([...BAD_QUERY_NUMBERS, ...extra]), why: 'not a number in range' };
  }
  if (types.includes('boolean')) return { raw: rng.pick(['maybe', '2', 'yes%00', '']), why: 'not a boolean' };
  const bad = badValueFor(schema, name, rng);
  if (bad && typeof bad.value === 'string') return { raw: encodeURIComponent(bad.value), why: bad.why };
  // A free-form string: only a repeated parameter (an array) is surely wrong.
  return { raw: `x&${encodeURIComponent(name)}=y`, why: 'given twice' };
}
