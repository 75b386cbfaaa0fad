import type { RunView } from '@cronfleet/shared';
import { CliError, EXIT } from './cli-error';
import { openLiveEvents, type Api } from './client';

/**
 * Starts (or retries) a workflow run with `start` and waits for it to end, following the live
 * events (`GET /sse/events?type=workflow.run`) rather than asking again and again. The stream is
 * opened before `start` is called, so an end that comes quickly is not missed; once an event says
 * the run ended, it is read again and returned. A stream that breaks off before then counts as the
 * server becoming unreachable (exit 4), unless the run has ended by then.
 */
export async function startAndWait(api: Api, start: () => Promise<RunView>, started: (run: RunView) => void): Promise<RunView> {
  const abort = new AbortController();
  const events = await openLiveEvents(api, { type: 'workflow.run', signal: abort.signal });
  try {
    const run = await start();
    started(run);
    if (run.status !== 'running') return run;
    const reread = () => api.workflowRuns.get({ params: { id: run.id } });
    try {
      for await (const ev of events) {
        if (ev.event === 'workflow.run' && ev.data.runId === run.id && ev.data.status !== 'running') return await reread();
      }
    } catch (e) {
      if (!(e instanceof CliError && e.exitCode === EXIT.unreachable)) throw e;
    }
    const last = await reread();
    if (last.status !== 'running') return last;
    throw new CliError(EXIT.unreachable, `the server at ${api.baseUrl} closed the event stream before workflow run ${run.id} ended; see it with: cronfleet workflows get ${run.id}`);
  } finally {
    abort.abort();
  }
}
