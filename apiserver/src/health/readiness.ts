/** One thing the server needs before it can serve: resolves when it is there, throws saying why not. */
export interface ReadinessCheck {
  name: string;
  run(): Promise<void>;
}

export type CheckResult = { ok: true } | { ok: false; error: string };

export interface Readiness {
  status: 'ready' | 'not ready';
  /** Names of the failed checks; empty when ready. */
  notReady: string[];
  checks: Record<string, CheckResult>;
}

/**
 * Runs every check at once, each given at most `timeoutMs` (a database that does not answer must
 * not hold the probe longer than the orchestrator waits for it), and reports each one.
 */
export async function checkReadiness(checks: readonly ReadinessCheck[], timeoutMs: number): Promise<Readiness> {
  const results = await Promise.all(checks.map((c) => runOne(c, timeoutMs)));
  const out: Readiness = { status: 'ready', notReady: [], checks: {} };
  checks.forEach((c, i) => {
    out.checks[c.name] = results[i];
    if (!results[i].ok) out.notReady.push(c.name);
  });
  if (out.notReady.length > 0) out.status = 'not ready';
  return out;
}

async function runOne(check: ReadinessCheck, timeoutMs: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    await Promise.race([check.run(), timeout]);
    return { ok: true };
  } catch (e) {
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  } finally {
    clearTimeout(timer);
  }
}
