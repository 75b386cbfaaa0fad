/** Fields of an answer that name what the call made, in the order they are looked for. */
const CREATED_FIELDS = ['id', 'taskId', 'runId', 'name'] as const;
/** Route parameters that name what the call acts on. */
const PATH_PARAMS = ['id', 'idOrName', 'name'] as const;
/** The longest target id kept (the column's width). */
const MAX_LENGTH = 100;

/**
 * The id an audit entry names as its target. A call answered 201 or 202 made something: its target
 * is what it made, as the answer names it (`id`, `taskId`, `runId`, or a namespace's `name`), so the
 * log says which task, run or token a call created. The id the path names stays in the entry's path,
 * so nothing is lost: `POST /cronjobs/5/run` targets the task it started (the job is in the path),
 * and `POST /tasks/41/retry` targets the new attempt, not task 41, which is in the path. Any other
 * call targets what its path names, else what its answer names (a repeated `POST /tasks` with the
 * same idempotency key answers 200 with the task it made the first time); null when neither does.
 */
export function auditTarget(params: Readonly<Record<string, string | undefined>> | undefined, status: number, answer: unknown): string | null {
  const fromPath = firstOf(params, PATH_PARAMS);
  const made = firstOf(answer, CREATED_FIELDS);
  const target = status === 201 || status === 202 ? (made ?? fromPath) : (fromPath ?? made);
  return target?.slice(0, MAX_LENGTH) ?? null;
}

function firstOf(from: unknown, fields: readonly string[]): string | undefined {
  if (typeof from !== 'object' || from === null) return undefined;
  for (const f of fields) {
    const v = (from as Record<string, unknown>)[f];
    if ((typeof v === 'number' && Number.isFinite(v)) || (typeof v === 'string' && v !== '')) return String(v);
  }
  return undefined;
}
