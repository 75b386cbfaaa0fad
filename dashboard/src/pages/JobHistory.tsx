import { useEffect, useRef, useState } from 'react';
import { api } from '../api/client';
import type { CronJobVersion, CronJobVersionDetail, FieldChange } from '../api/types';
import { useResource } from '../app/hooks';
import { href } from '../app/router';
import { changeValues, VALUE_CHARS, versionLabel } from '../app/version-format';
import { ActionButton, ErrorNote, Time, TableCard } from '../components/ui';

const PAGE = 10;
/** Changes listed in a row; the rest are in the version's definition. */
const CHANGES_SHOWN = 6;

/**
 * A cron job's versions, newest first, each with who changed what; the selected one (`?version=`)
 * with its whole definition and, for admins, a rollback to it. Reloads when `latest` (the job's
 * version number) moves, so a change made anywhere shows here once the job page has reloaded.
 */
export function JobHistory({ jobId, latest, selected, onChanged }: { jobId: number; latest: number; selected: number | null; onChanged: () => void }) {
  // How many older pages are shown. Each reload follows nextCursor afresh from the newest page: kept
  // cursors would leave a gap at the page boundary once a new version pushes the first page down.
  const [older, setOlder] = useState(0);
  const list = useResource(async () => {
    let page = await api.cronjobVersions.list({ params: { id: jobId }, query: { limit: PAGE } });
    const items = [...page.items];
    for (let i = 0; i < older && page.nextCursor; i++) {
      page = await api.cronjobVersions.list({ params: { id: jobId }, query: { limit: PAGE, cursor: page.nextCursor } });
      items.push(...page.items);
    }
    return { items, next: page.nextCursor };
  }, [jobId, latest, older]);

  return (
    <>
      <h2 id="history">History</h2>
      <ErrorNote error={list.error} />
      {selected !== null && (
        <VersionDetail
          jobId={jobId}
          version={selected}
          onRolledBack={() => {
            onChanged();
            list.reload();
          }}
        />
      )}
      <TableCard>
        <table className="table" data-testid="versions">
          <thead>
            <tr>
              <th>Version</th>
              <th>Kind</th>
              <th>By</th>
              <th>When</th>
              <th>Changes</th>
            </tr>
          </thead>
          <tbody>
            {(list.data?.items ?? []).map((v) => (
              <tr key={v.version} data-version={v.version} className={v.version === selected ? 'row-selected' : undefined}>
                <td>
                  <a href={href(`/jobs/${jobId}`, { version: v.version })} title="show this version's definition">
                    v{v.version}
                  </a>
                  {v.version === latest && <span className="muted small"> current</span>}
                </td>
                <td>
                  <KindBadge v={v} />
                </td>
                <td>
                  {v.actor} <span className="muted">({v.role})</span>
                </td>
                <td>
                  <Time iso={v.at} />
                </td>
                <td>
                  <ChangeList v={v} jobId={jobId} />
                </td>
              </tr>
            ))}
            {list.data?.items.length === 0 && (
              <tr>
                <td colSpan={5} className="empty">
                  No versions yet: this job was made before versioning and has not changed since.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </TableCard>
      {list.data?.next && (
        <p>
          <button className="btn" disabled={list.loading} onClick={() => setOlder((n) => n + 1)}>
            Load older
          </button>
        </p>
      )}
    </>
  );
}

function KindBadge({ v }: { v: CronJobVersion }) {
  const label = versionLabel(v);
  return (
    <>
      <span className={`badge badge-${label}`}>{label}</span>
      {v.rolledBackFrom !== null && <span className="muted small"> to v{v.rolledBackFrom}</span>}
    </>
  );
}

const NO_CHANGES: Partial<Record<CronJobVersion['kind'], string>> = {
  created: 'first definition',
  baseline: 'as it was before versioning',
  deleted: 'job deleted',
};

function ChangeList({ v, jobId }: { v: CronJobVersion; jobId: number }) {
  if (v.changes.length === 0) return <span className="muted">{NO_CHANGES[v.kind] ?? 'nothing'}</span>;
  const rest = v.changes.length - CHANGES_SHOWN;
  return (
    <ul className="changes">
      {v.changes.slice(0, CHANGES_SHOWN).map((c) => (
        <Change key={c.field} c={c} />
      ))}
      {rest > 0 && (
        <li className="muted">
          and {rest} more: <a href={href(`/jobs/${jobId}`, { version: v.version })}>see the definition</a>
        </li>
      )}
    </ul>
  );
}

function Change({ c }: { c: FieldChange }) {
  const values = changeValues(c);
  return (
    <li data-field={c.field}>
      <code>{c.field}</code>:{' '}
      {values ? (
        <>
          <code title={values.before.full}>{values.before.text}</code> → <code title={values.after.full}>{values.after.text}</code>
        </>
      ) : (
        <span className="muted" title="a secret's value is never shown">
          changed, value hidden
        </span>
      )}
    </li>
  );
}

/** One version's whole definition, read-only, with a rollback to it for admins. */
function VersionDetail({ jobId, version, onRolledBack }: { jobId: number; version: number; onRolledBack: () => void }) {
  const detail = useResource(() => api.cronjobVersions.get({ params: { id: jobId, version } }), [jobId, version]);
  const v = detail.data?.version === version ? detail.data : null;
  // The history sits below the tasks: bring the opened version into view, wherever its link was.
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    box.current?.scrollIntoView({ block: 'nearest' }); // braces: Chromium's returns a promise, which React would take for a cleanup
  }, [v]);
  return (
    <section ref={box} className="card version-detail" aria-label={`Version ${version}`}>
      <div className="card-header">
        <h2>
          Version {version} {v && <KindBadge v={v} />}
        </h2>
        <div className="page-actions">
          {v && v.kind !== 'deleted' && (
            <ActionButton
              needs="admin"
              label="Roll back to this version"
              confirm={`Write version ${version}'s definition again, as a new version? The job stays paused or enabled as it is now.`}
              action={async () => {
                const r = await api.cronjobVersions.rollback({ params: { id: jobId, version } });
                onRolledBack();
                return r;
              }}
              done={(r) => {
                const written = (r as { version: CronJobVersion | null }).version;
                return written ? `rolled back to version ${version}: version ${written.version} written` : `rolled back to version ${version}: nothing changed`;
              }}
            />
          )}
          <a className="btn" href={href(`/jobs/${jobId}`)}>
            Close
          </a>
        </div>
      </div>
      <ErrorNote error={detail.error} />
      {v && <Definition v={v} />}
    </section>
  );
}

function Definition({ v }: { v: CronJobVersionDetail }) {
  return (
    <>
      <p className="muted small">
        {v.kind === 'deleted' ? 'The definition the job had when it was deleted' : 'The whole definition after this change'}, by {v.actor} ({v.role}),{' '}
        <Time iso={v.at} />. Secret values are never shown, only their names.
      </p>
      <dl className="columns" data-testid="definition">
        {Object.entries(v.definition).map(([field, value]) => (
          <div key={field} data-field={field}>
            <dt>{field}</dt>
            <dd>{JSON.stringify(value).length > VALUE_CHARS ? <pre className="spec">{JSON.stringify(value, null, 2)}</pre> : <code>{JSON.stringify(value)}</code>}</dd>
          </div>
        ))}
      </dl>
    </>
  );
}
