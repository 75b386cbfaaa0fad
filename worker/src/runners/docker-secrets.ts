import type { TaskRunFor } from './runner';
import { taskEnv } from './runner';

/**
 * How the docker runner hands a task its secrets without writing them into the container's config,
 * where `docker inspect` (and anything with read access to the engine's API) shows `Config.Env`.
 *
 * The container's entrypoint becomes `/bin/sh -c SECRETS_LOADER cronfleet-secrets <the image's
 * entrypoint and the task's command…>`; the runner attaches to the container's stdin before the
 * start, writes one `NAME=value` line per secret (backslash and newline escaped) then an empty line,
 * and closes it (`StdinOnce`). The loader reads those lines with shell built-ins only, exports each
 * variable, and `exec`s the command: the task's process has the same environment as before, its pid
 * is still the shell's (signals reach it), and its stdin is at end of file, as without secrets.
 *
 * Why stdin rather than a file: a bind-mounted file needs a host path readable by the container's
 * user (any uid, or a user name only the image knows) and a cleanup; `docker cp` leaves it in the
 * container's layer. stdin leaves no copy anywhere. The price: the image needs `/bin/sh` (busybox,
 * Alpine, Debian… all have one); an image without it cannot be given secrets this way, and such a
 * task fails with `SecretsNeedShell` instead of silently exposing them.
 */
export const SECRETS_LOADER = 'while IFS= read -r l && [ -n "$l" ]; do v=$(printf \'%bx\' "${l#*=}"); export "${l%%=*}=${v%x}"; done; exec "$@"';

/** The container's environment split: `env` goes into its config, `secrets` through stdin. */
export interface DockerEnv {
  env: Record<string, string>;
  secrets: Record<string, string>;
}

/**
 * The task's environment ({@link taskEnv}) with each secret that wins over the other sources kept
 * apart, and not in `env` either under a lower-precedence value.
 */
export function splitDockerEnv(task: TaskRunFor<'docker'>): DockerEnv {
  const all = taskEnv(task);
  const env: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, value] of Object.entries(all)) {
    if (Object.hasOwn(task.secretEnv, name) && task.secretEnv[name] === value) secrets[name] = value;
    else env[name] = value;
  }
  return { env, secrets };
}

/** The lines {@link SECRETS_LOADER} reads: `NAME=value`, `\` as `\\` and newline as `\n` (printf %b's escapes), then an empty line. */
export function encodeSecrets(secrets: Record<string, string>): string {
  const lines = Object.entries(secrets).map(([name, value]) => `${name}=${value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n`);
  return `${lines.join('')}\n`;
}

/** Entrypoint and Cmd of a container that loads secrets from stdin first, running what `entrypoint` + `cmd` would. */
export function secretsEntrypoint(entrypoint: readonly string[], cmd: readonly string[]): { Entrypoint: string[]; Cmd: string[] } {
  return { Entrypoint: ['/bin/sh', '-c', SECRETS_LOADER, 'cronfleet-secrets'], Cmd: [...entrypoint, ...cmd] };
}
