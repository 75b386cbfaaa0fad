import { CliError, EXIT } from './cli-error';

/**
 * Where a task is in its file, for messages and `-o json`: its line in JSON Lines (from 1, as
 * editors count), or its index in a JSON array (from 0, as `jq '.[i]'` does).
 */
export type TaskPosition = { line: number } | { index: number };

/** One task body of a batch file, unchecked (the server checks each one), and where it is. */
export interface TaskFileEntry {
  at: TaskPosition;
  body: unknown;
}

/** `line 3` or `[4]`. */
export function positionLabel(at: TaskPosition): string {
  return 'line' in at ? `line ${at.line}` : `[${at.index}]`;
}

const SHAPES = 'expected a JSON array of tasks, or one task per line (JSON Lines)';

/**
 * The tasks of a batch file (`tasks create -f`): a JSON array of task bodies, JSON Lines (one body
 * per line; blank lines are skipped), or one body alone. A file that cannot be read as any of them
 * is a usage error (exit 2) naming the line, and nothing is sent: half a file is rarely what was meant.
 */
export function parseTaskFile(text: string, source: string): TaskFileEntry[] {
  const content = text.replace(/^\uFEFF/, '');
  const trimmed = content.trim();
  if (trimmed === '') throw new CliError(EXIT.usage, `${source}: holds no task (${SHAPES})`);
  if (trimmed.startsWith('[')) {
    const value = parseJson(trimmed, () => `${source}: not a JSON array of tasks`) as unknown[];
    if (value.length === 0) throw new CliError(EXIT.usage, `${source}: holds no task (the array is empty)`);
    return value.map((body, index) => ({ at: { index }, body }));
  }
  const lines = content.split(/\r?\n/);
  // One body alone, also written over several lines (pretty-printed): several bodies never parse as one.
  const whole = tryJson(trimmed);
  if (whole.ok) return [{ at: { line: lines.findIndex((l) => l.trim() !== '') + 1 }, body: whole.value }];
  const entries: TaskFileEntry[] = [];
  lines.forEach((l, i) => {
    if (l.trim() === '') return;
    entries.push({ at: { line: i + 1 }, body: parseJson(l, () => `${source} line ${i + 1}: not valid JSON`) });
  });
  return entries;
}

function parseJson(text: string, where: () => string): unknown {
  const r = tryJson(text);
  if (!r.ok) throw new CliError(EXIT.usage, `${where()} (${r.why}); ${SHAPES}`);
  return r.value;
}

function tryJson(text: string): { ok: true; value: unknown } | { ok: false; why: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, why: (e as Error).message };
  }
}
