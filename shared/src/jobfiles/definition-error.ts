/**
 * Why a job or workflow file (or one definition of it) was refused:
 * - `unreadable`: the file cannot be read as definitions: not YAML or JSON, holding none, or holding
 *   what the command does not take. The CLI's usage error (exit 2).
 * - `invalid`: a definition is refused: a field, a name given twice, a secret reference that cannot be
 *   honoured. The CLI's refusal (exit 1); the API's 400 ValidationFailed.
 * - `invalid-schedule`: a workflow's only problem is its schedule or time zone. The CLI's refusal
 *   (exit 1); the API's 400 InvalidSchedule.
 */
export type DefinitionErrorKind = 'unreadable' | 'invalid' | 'invalid-schedule';

/**
 * A refused job or workflow file, from the checks the server and the CLI share; each maps `kind` to
 * its own answer (an exit code, an HTTP status). The message names the file, the definition and the
 * field as a person wrote them.
 */
export class DefinitionError extends Error {
  override readonly name = 'DefinitionError';

  constructor(
    readonly kind: DefinitionErrorKind,
    message: string,
  ) {
    super(message);
  }
}

/** True for a {@link DefinitionError}, judged by its name and kind (the error may come from another copy of this package). */
export function isDefinitionError(e: unknown): e is DefinitionError {
  const d = e as Partial<DefinitionError> | null;
  return typeof d === 'object' && d !== null && d.name === 'DefinitionError' && (d.kind === 'unreadable' || d.kind === 'invalid' || d.kind === 'invalid-schedule');
}
