// REST cases for the fuzz spec: for each operation of the server's OpenAPI document, requests with
// exactly one bad part (a path id, a query parameter, a body field, the body as a whole, its type or
// size, the JSON itself), sent over plain node:http so paths go out exactly as written.
import { request } from 'node:http';
import { badQueryValue, badValueFor, BAD_PATH_IDS, deref, exampleFor, fieldPaths, type JsonSchema, objectExample, Rng, withValueAt } from './fuzz-inputs';

export interface Operation {
  method: string;
  /** OpenAPI path, `{id}` placeholders included. */
  path: string;
  params: { name: string; in: 'path' | 'query'; required?: boolean; schema: JsonSchema }[];
  body: JsonSchema | null;
}

export interface RestCase {
  method: string;
  /** Sent as is: already encoded. */
  path: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  /** Send the body without Content-Length (chunked). */
  chunked?: boolean;
  /** What is wrong, for the failure message. */
  what: string;
  /** A field the error message must name, when it is a validation error. */
  field?: string;
}

export interface RestAnswer {
  status: number;
  contentType: string;
  text: string;
}

/** The operations of an OpenAPI document. */
export function operationsOf(doc: { paths: Record<string, Record<string, Record<string, unknown>>>; components?: { schemas?: Record<string, JsonSchema> } }): Operation[] {
  const components = doc.components?.schemas ?? {};
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = ((op.parameters ?? []) as Operation['params']).map((p) => ({ ...p, schema: deref(p.schema, components) }));
      const content = (op.requestBody as { content?: Record<string, { schema: JsonSchema }> } | undefined)?.content;
      const body = content?.['application/json'] ? deref(content['application/json'].schema, components) : null;
      ops.push({ method: method.toUpperCase(), path, params, body });
    }
  }
  return ops;
}

/** Ids that exist, so that a case whose id is fine reaches the validation behind it (and, if wrongly accepted, changes data the snapshot sees). */
export type KnownIds = Record<string, number>;

function fillPath(op: Operation, known: KnownIds, bad?: { name: string; raw: string }): string {
  return op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (bad?.name === name) return bad.raw;
    const p = op.params.find((x) => x.name === name);
    const typed = p && ['integer', 'number'].includes(String(p.schema.type));
    const resource = Object.keys(known).find((r) => op.path.includes(`/${r}/{${name}}`));
    return typed ? String(resource ? known[resource] : 987_654_321) : 'no-such-thing';
  });
}

function query(op: Operation, replaced?: { name: string; raw: string }, extra?: string): string {
  const parts: string[] = [];
  for (const p of op.params.filter((x) => x.in === 'query')) {
    if (p.name === replaced?.name) parts.push(`${encodeURIComponent(p.name)}=${replaced.raw}`);
    else if (p.required) parts.push(`${encodeURIComponent(p.name)}=${encodeURIComponent(String(exampleFor(p.schema, p.name)))}`);
  }
  if (extra) parts.push(extra);
  return parts.length ? `?${parts.join('&')}` : '';
}

const JSON_HEADERS = { 'content-type': 'application/json' };
const MALFORMED_JSON = ['{bad', '{"a":', '{"a":1}}', "{'a':1}", '{"a":01}', '[1,]', '{"a":"\\x41"}', '\u0000', '{"a":NaN}', '{"a":Infinity}', '['.repeat(100_000), '{"a":"' + '\ud800'];
const WRONG_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', 'application/json; charset=latin1', ''];

type Kind = 'pathParam' | 'query' | 'unknownQuery' | 'bodyField' | 'unknownField' | 'notObject' | 'deepJson' | 'malformedJson' | 'contentType' | 'hugeBody' | 'hugeChunked';

/** The kinds of bad request that make sense for `op`: a kind that could be valid for it is left out. */
function kindsFor(op: Operation): Kind[] {
  const kinds: Kind[] = ['malformedJson', 'contentType', 'hugeBody'];
  if (op.params.some((p) => p.in === 'path')) kinds.push('pathParam', 'pathParam');
  // Every route refuses a query parameter it does not take, those that take none included.
  kinds.push('unknownQuery');
  if (op.params.some((p) => p.in === 'query')) kinds.push('query', 'query');
  if (op.body) {
    kinds.push('bodyField', 'bodyField', 'bodyField', 'notObject', 'deepJson', 'hugeChunked');
    if (op.body.additionalProperties === false) kinds.push('unknownField');
  }
  return kinds;
}

/** One bad request for `op`. */
export function restCase(op: Operation, known: KnownIds, rng: Rng): RestCase {
  const kind = rng.pick(kindsFor(op));
  const base = op.body ? objectExample(op.body) : undefined;
  // A batch answers a bad item in its place (200, the others made): fuzzed in its atomic form, where
  // any bad item refuses the whole request and nothing is made (per-item answers: task-batch.e2e-spec).
  if (base && op.path.endsWith('/tasks/batch')) (base as Record<string, unknown>).atomic = true;
  const json = (body: unknown, what: string, field?: string): RestCase => ({ method: op.method, path: fillPath(op, known) + query(op), headers: JSON_HEADERS, body: JSON.stringify(body), what, field });
  switch (kind) {
    case 'pathParam': {
      const p = rng.pick(op.params.filter((x) => x.in === 'path'));
      const raw = rng.pick(BAD_PATH_IDS);
      return { method: op.method, path: fillPath(op, known, { name: p.name, raw }) + query(op), headers: {}, what: `path parameter ${p.name} = '${raw}'`, field: p.name };
    }
    case 'query': {
      const p = rng.pick(op.params.filter((x) => x.in === 'query'));
      const bad = badQueryValue(p.schema, p.name, rng) ?? { raw: '%00', why: 'a NUL' };
      return { method: op.method, path: fillPath(op, known) + query(op, { name: p.name, raw: bad.raw }), headers: {}, what: `query ${p.name}=${bad.raw.slice(0, 80)} (${bad.why})`, field: p.name };
    }
    case 'unknownQuery': {
      const extra = rng.pick(['zz_unknown=1', 'limit%5B%24gt%5D=1', '__proto__=x', 'constructor%5Bprototype%5D=1']);
      return { method: op.method, path: fillPath(op, known) + query(op, undefined, extra), headers: {}, what: `unknown query parameter ${extra}` };
    }
    case 'bodyField': {
      const fields = fieldPaths(op.body!).map((f) => ({ ...f, bad: badValueFor(f.schema, f.path[f.path.length - 1], rng) })).filter((f) => f.bad);
      if (fields.length === 0) return json([base], 'an array for the body');
      const f = rng.pick(fields);
      return json(withValueAt(base!, f.path, f.bad!.value, op.body!), `body field ${f.path.join('.')}: ${f.bad!.why}`, f.path[f.path.length - 1]);
    }
    case 'unknownField': {
      const key = rng.pick(['zzUnknown', '__proto__', 'constructor', 'id', 'createdAt', '../../etc/passwd']);
      const body = JSON.stringify(base).replace(/^\{/, `{${JSON.stringify(key)}:{"polluted":true},`).replace(/,\}$/, '}');
      return { method: op.method, path: fillPath(op, known) + query(op), headers: JSON_HEADERS, body, what: `unknown body field '${key}'` };
    }
    case 'notObject':
      return { ...json(null, ''), body: rng.pick(['[]', '"a string"', '42', 'null', 'true', '[{}]']), what: 'a body that is not an object' };
    case 'deepJson': {
      const f = rng.pick(fieldPaths(op.body!));
      const depth = 50_000;
      const deep = `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
      const body = JSON.stringify(withValueAt(base!, f.path, '__DEEP__', op.body!)).replace('"__DEEP__"', deep);
      return { method: op.method, path: fillPath(op, known) + query(op), headers: JSON_HEADERS, body, what: `body field ${f.path.join('.')} nested ${depth} deep` };
    }
    case 'malformedJson': {
      const body = rng.pick(MALFORMED_JSON);
      return { method: op.method, path: fillPath(op, known) + query(op), headers: JSON_HEADERS, body, what: `malformed JSON ${JSON.stringify(body.slice(0, 40))}` };
    }
    case 'contentType': {
      const type = rng.pick(WRONG_TYPES);
      const body = type.startsWith('application/json') ? '{}' : 'name=x&schedule=%40hourly';
      const headers: Record<string, string> = type ? { 'content-type': type } : {};
      return { method: op.method, path: fillPath(op, known) + query(op), headers, body, what: `Content-Type '${type}'` };
    }
    case 'hugeBody': {
      // 10 MB in one string field, with a Content-Length: refused before it is read.
      const f = op.body ? rng.pick(fieldPaths(op.body)) : null;
      const huge = 'x'.repeat(10 * 1024 * 1024);
      const body = f ? JSON.stringify(withValueAt(base!, f.path, huge, op.body!)) : JSON.stringify({ data: huge });
      return { method: op.method, path: fillPath(op, known) + query(op), headers: JSON_HEADERS, body, what: `a 10 MB body${f ? ` in ${f.path.join('.')}` : ''}` };
    }
    case 'hugeChunked':
      // No Content-Length: the parser counts as it reads and stops at the limit.
      return { method: op.method, path: fillPath(op, known) + query(op), headers: JSON_HEADERS, body: Buffer.from(JSON.stringify({ name: 'y'.repeat(3 * 1024 * 1024) })), chunked: true, what: 'a 3 MB chunked body' };
  }
}

/** Paths that are wrong as a whole, whatever the routes: traversal, encodings, NULs. */
export const RAW_PATHS = [
  '/api/v1/cronjobs/../../../etc/passwd',
  '/api/v1/%2e%2e/%2e%2e/etc/passwd',
  '/api/v1/cronjobs/1/../../workers/1',
  '/api/v1/tasks/%2F..%2F..%2Fetc%2Fpasswd/output',
  '/api/docs/..%2F..%2Fpackage.json',
  '/api/docs/%2e%2e%2fpackage.json',
  '/api/v1/cronjobs%00',
  '/api/v1//cronjobs',
  '/api/v1/cronjobs/%E0%A4%A/run',
  `/api/v1/tasks?limit=${'9'.repeat(20_000)}`,
];

/** Bodies above this are held back until the server had a moment to refuse them by their headers. */
const HOLD_BACK_BYTES = 1024 * 1024;

/**
 * Sends one case and collects the whole answer; a transport error (reset, refused) rejects. A large
 * body is sent only if no answer came to its headers within a second, as a careful client does: the
 * server is to refuse it from Content-Length alone, and a write racing that answer would end in EPIPE.
 */
export function send(baseUrl: string, token: string, c: RestCase, timeoutMs = 15_000): Promise<RestAnswer> {
  const url = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, ...c.headers };
    if (c.body !== undefined && !c.chunked) headers['content-length'] = String(Buffer.byteLength(c.body));
    let answered = false;
    const req = request({ host: url.hostname, port: url.port, method: c.method, path: c.path, headers, agent: false }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const done = (): void => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), text: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', done);
      res.on('error', done);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => {
      if (!answered) reject(e);
    });
    if (c.body === undefined) return void req.end();
    if (Buffer.byteLength(c.body) <= HOLD_BACK_BYTES || c.chunked) {
      if (c.chunked) req.write(c.body);
      return void (c.chunked ? req.end() : req.end(c.body));
    }
    req.flushHeaders();
    setTimeout(() => {
      if (answered) req.destroy();
      else req.end(c.body);
    }, 1000);
  });
}

/** What is wrong with an answer to a bad request, or null: a 4xx JSON error body naming the problem. */
export function judge(c: RestCase, a: RestAnswer): string | null {
  if (a.status < 400 || a.status > 499) return `status ${a.status}, expected a 4xx`;
  if (!/^application\/json/.test(a.contentType)) return `content-type '${a.contentType}', expected JSON`;
  let body: { statusCode?: unknown; error?: unknown; code?: unknown; message?: unknown };
  try {
    body = JSON.parse(a.text) as typeof body;
  } catch {
    return 'the body is not JSON';
  }
  if (body.statusCode !== a.status) return `statusCode ${String(body.statusCode)} differs from the status ${a.status}`;
  if (typeof body.error !== 'string' || typeof body.code !== 'string') return 'error and code must be strings';
  if (typeof body.message !== 'string' || body.message.length === 0) return 'message must be a non-empty string';
  if (body.message.length > 10_000) return `message is ${body.message.length} characters: it echoes the input`;
  if (c.field && body.code === 'ValidationFailed' && !body.message.includes(c.field)) return `the message does not name '${c.field}'`;
  return null;
}
