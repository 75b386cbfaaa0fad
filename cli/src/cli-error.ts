import type { DefinitionError } from '@cronfleet/shared';

/**
 * Exit codes of the admin commands, for scripts:
 * 0 done; 1 the API (or the local check of a job file, which uses the API's own schemas) refused,
 * or a confirmation was answered no; 2 usage or configuration error (bad flag, missing server or
 * token, token refused, unreadable file, --yes missing where there is no terminal to ask on);
 * 3 not found (HTTP 404, or no cron job or worker with that name); 4 server unreachable.
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, notFound: 3, unreachable: 4 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The API's refusal as it answered it: its status, code and message (before the CLI words it). */
export interface ApiRefusal {
  status: number;
  code: string | undefined;
  message: string;
}

/** An error the CLI reports as one line on stderr and turns into its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    message: string,
    /** Set when the API refused: commands that report per item (or rename its fields) use it. */
    readonly refusal?: ApiRefusal,
  ) {
    super(message);
  }
}

/**
 * A refused job or workflow file (shared's checks) as the CLI reports it: a file that cannot be read
 * as definitions is a usage error (exit 2), a refused definition a refusal (exit 1). `prefix` goes
 * before the message (the file's name, where the check did not give it).
 */
export function fromDefinitionError(e: DefinitionError, prefix = ''): CliError {
  return new CliError(e.kind === 'unreadable' ? EXIT.usage : EXIT.refused, `${prefix}${e.message}`);
}
