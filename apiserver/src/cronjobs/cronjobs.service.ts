import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { describeIssues, inNamespaceLabel, nextRunAtMs, parseSchedule, previewRunsMs, Schedule, ScheduleInput, scheduleToString, CreateCronJob, ListCronJobsQuery, UpdateCronJob, UpdateCronJobSchema, CronJobView, type ListVersionsQuery, type NamedJob, type VersionsByNameQuery, type VersionSummary, type VersionView, normalizeTriggers, triggerTargets, type Triggers, describeCycle, findCycle, type Actor, roleAllows, RUN_OVERRIDES_ROLE, paramsFitProblem, resolveParams, triggerParamsProblems } from '@cronfleet/shared';
import { DomainError, notFound } from '../common/errors';
import { SecretBox } from '../common/secret-box';
import { validSpec } from '../common/runner-spec';
import { ClusterEvents } from '../cluster/cluster-events';
import { TasksRepository } from '../tasks/tasks.repository';
import { LiveFeed } from '../live/live-feed';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import { emailUnavailable } from '../config/email-settings';
import { CronJobEntity } from './cronjob.entity';
import { CronJobsRepository } from './cronjobs.repository';
import { taskOfJob } from './job-task';
import { toCronJobView } from './cronjob.view';
import { toNamedJob, toVersionSummary, toVersionView } from './versions/version.view';
import { type ChangeAuthor, CronJobHistory, type VersionDraft } from './versions/cronjob-history';
import { CronJobVersionsRepository } from './versions/cronjob-versions.repository';
import { notifyRulesOf, PLAIN_FIELDS } from './versions/job-definition';
import type { RunNow } from '@cronfleet/shared';
import { TaskLifecycle } from '../tasks/lifecycle/task-lifecycle';
import { NamespacesService } from '../namespaces/namespaces.service';
import { isoOrNull as iso } from '../common/iso-time';

/** One run in a job's timeline strip. */
export interface TimelineRun {
  taskId: number;
  status: string;
  attempt: number;
  scheduledAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  exitCode: number | null;
}

/** Parses a schedule, turning the core's InvalidScheduleError into a 400 that names the field. */
export function scheduleOf(job: { schedule: ScheduleInput; timezone: string }): Schedule {
  try {
    return parseSchedule(job.schedule, job.timezone);
  } catch (e) {
    const err = e as { code?: string; message?: string };
    if (err.code === 'InvalidSchedule') throw new DomainError('InvalidSchedule', err.message ?? 'invalid schedule');
    throw e;
  }
}

/** The next due time of a job after `afterMs`; `@every` schedules run on a grid anchored at creation. */
export function nextRunOf(job: Pick<CronJobEntity, 'schedule' | 'timezone' | 'createdAt'>, afterMs: number, schedule = scheduleOf(job)): Date | null {
  const next = nextRunAtMs(schedule, afterMs, job.createdAt.getTime());
  return next === null ? null : new Date(next);
}

@Injectable()
export class CronJobsService {
  constructor(
    private readonly repo: CronJobsRepository,
    private readonly tasks: TasksRepository,
    private readonly events: ClusterEvents,
    private readonly secrets: SecretBox,
    private readonly live: LiveFeed,
    private readonly history: CronJobHistory,
    private readonly versionRows: CronJobVersionsRepository,
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly lifecycle: TaskLifecycle,
    private readonly namespaces: NamespacesService,
  ) {}

  /** `namespace`: where it goes, already checked against the caller's scope (auth/namespace-scope.ts). */
  async create(dto: CreateCronJob, author: ChangeAuthor, namespace: string): Promise<CronJobView> {
    // Triggers are looked up in the namespace: say first that it is not there. Otherwise the
    // quota check in the insert's transaction refuses a missing namespace with the same message.
    // (Absent triggers are {} once validated: only a job that names some reads the namespace here.)
    if (normalizeTriggers(dto.triggers)) await this.namespaces.assertExists(namespace);
    this.checkNotify(dto.notify);
    const triggers = await this.checkTriggers(null, dto.name, dto.triggers, namespace);
    const spec = validSpec(dto.runner, dto.spec);
    checkParamsFit({ ...dto, spec, secretEnvKeys: Object.keys(dto.secretEnv ?? {}) });
    const schedule = scheduleOf(dto);
    const text = scheduleToString(dto.schedule);
    const now = new Date();
    const fields = {
      ...dto,
      namespace,
      ...this.sealed(dto.secretEnv),
      triggers,
      schedule: text,
      spec,
      createdAt: now,
      nextRunAt: dto.enabled ? nextRunOf({ ...dto, schedule: text, createdAt: now }, now.getTime(), schedule) : null,
    };
    const job = await this.repo.insertWithHistory(fields, this.history.created({ ...fields, updatedAt: now } as CronJobEntity, author, now), (m) =>
      this.namespaces.assertRoomForJob(m, namespace),
    );
    await this.changed(job.id);
    this.live.cronjob({ type: 'cronjob.created', data: { cronjobId: job.id, name: job.name, namespace } });
    return toCronJobView(job);
  }

  async list(q: ListCronJobsQuery = {}): Promise<{ items: CronJobView[]; nextCursor: string | null }> {
    const rows = await this.repo.list(q);
    const full = q.limit !== undefined && rows.length === q.limit;
    return { items: rows.map(toCronJobView), nextCursor: full ? String(rows[rows.length - 1].id) : null };
  }

  /** With `namespace`, jobs outside it are left out as if they had no runs. */
  async timeline(ids: readonly number[], limit: number, namespace?: string): Promise<{ items: { cronjobId: number; runs: TimelineRun[] }[] }> {
    const unique = [...new Set(ids)];
    const byJob = await this.tasks.recentByJob(namespace === undefined ? unique : await this.repo.idsIn(unique, namespace), limit);
    return {
      items: [...byJob].map(([cronjobId, rows]) => ({
        cronjobId,
        runs: rows.map((t) => ({ taskId: t.id, status: t.status, attempt: t.attempt, scheduledAt: t.scheduledAt.toISOString(), startedAt: iso(t.startedAt), finishedAt: iso(t.finishedAt), exitCode: t.exitCode })),
      })),
    };
  }

  async get(id: number): Promise<CronJobView> {
    return toCronJobView(await this.load(id));
  }

  async update(id: number, dto: UpdateCronJob, author: ChangeAuthor): Promise<CronJobView> {
    const next = await this.prepare(await this.load(id), dto);
    return toCronJobView(await this.commit(next, author, null).then((r) => r.job));
  }

  /** Pause (`enabled: false`) or resume (`enabled: true`, next run computed from now). */
  setEnabled(id: number, enabled: boolean, author: ChangeAuthor): Promise<CronJobView> {
    return this.update(id, { enabled }, author);
  }

  async remove(id: number, author: ChangeAuthor): Promise<void> {
    let namespace = '';
    const deleted = await this.repo.deleteWithHistory(id, (before) => ((namespace = before.namespace), this.history.deleted(before, author)));
    if (!deleted) throw notFound('CronJob', id);
    await this.events.publish({ type: 'cronjob.deleted', id, namespace });
  }

  /** A job's versions, newest first: who changed what, when. Also for a deleted job, while its versions exist. */
  async versions(id: number, q: ListVersionsQuery): Promise<{ items: VersionSummary[]; nextCursor: string | null }> {
    const rows = await this.versionRows.page(id, q.limit + 1, q.cursor);
    if (rows.length === 0 && q.cursor === undefined && !(await this.repo.findById(id))) throw notFound('CronJob', id);
    const items = rows.slice(0, q.limit).map(toVersionSummary);
    return { items, nextCursor: rows.length > q.limit ? String(items[items.length - 1].version) : null };
  }

  /**
   * The jobs, deleted ones included, whose latest version is named `name` (in `namespace` when
   * given): how a deleted job's versions are found without its id.
   */
  async versionsByName(q: VersionsByNameQuery, namespace: string | undefined): Promise<{ items: NamedJob[] }> {
    return { items: (await this.versionRows.latestNamed(q.name, namespace, q.limit)).map(toNamedJob) };
  }

  async version(id: number, version: number): Promise<VersionView> {
    return toVersionView(await this.loadVersion(id, version));
  }

  /**
   * Writes version `version`'s definition again, as a new version (`rollback`): through the checks
   * of an update (a trigger naming a job deleted since is refused, naming it), with that version's
   * secret values (still sealed) and webhook headers. The pause state stays as it is now: pausing is
   * operating the job, not defining it. A rollback to what the job already is changes nothing.
   */
  async rollback(id: number, version: number, author: ChangeAuthor): Promise<{ cronjob: CronJobView; version: VersionSummary | null }> {
    const job = await this.load(id);
    const d = (await this.loadVersion(id, version)).definition;
    const refuse = (message: string) => new DomainError('ValidationFailed', `rollback to version ${version}: ${message}`);
    let notify;
    try {
      notify = notifyRulesOf(d, this.secrets);
      if (d.secretEnv !== null) this.secrets.open(d.secretEnv);
    } catch (e) {
      throw refuse((e as Error).message);
    }
    // A version from before params has none: rolling back to it removes them.
    const given = { ...Object.fromEntries(PLAIN_FIELDS.filter((f) => f !== 'enabled').map((f) => [f, d[f]])), params: d.params ?? [] };
    const parsed = UpdateCronJobSchema.safeParse({ ...given, notify });
    if (!parsed.success) throw refuse(describeIssues(parsed.error, 'definition'));
    let next: CronJobEntity;
    try {
      next = await this.prepare(job, parsed.data);
    } catch (e) {
      throw (e as DomainError).code === 'ValidationFailed' || (e as DomainError).code === 'InvalidSchedule' ? refuse((e as Error).message) : e;
    }
    next.secretEnv = d.secretEnv;
    next.secretEnvKeys = d.secretEnvKeys.length ? d.secretEnvKeys : null;
    const { job: saved, drafts } = await this.commit(next, author, version);
    const written = drafts.find((v) => v.kind === 'rollback');
    return { cronjob: toCronJobView(saved), version: written ? toVersionSummary({ ...written, cronjobId: id, version: saved.version }) : null };
  }

  /**
   * Runs a job now, outside its schedule (also when it is disabled), with values for its declared
   * `params` (checked, defaults filled in, given as CRONFLEET_PARAM_<NAME>). Free-form `args`/`env`
   * overrides change what runs: only a caller with RUN_OVERRIDES_ROLE may send them (403 otherwise).
   */
  async runNow(id: number, run: RunNow, caller: Pick<Actor, 'name' | 'role'>): Promise<{ taskId: number }> {
    const overrides = (['args', 'env'] as const).filter((k) => run[k] !== undefined);
    if (overrides.length && !roleAllows(caller.role, RUN_OVERRIDES_ROLE)) {
      throw new ForbiddenException(
        `${overrides.join(', ')}: overriding a job's ${overrides.map((k) => (k === 'args' ? 'arguments' : 'environment')).join(' or ')} on run needs the ${RUN_OVERRIDES_ROLE} role ` +
          `(token '${caller.name}' has ${caller.role}); give values of the job's declared params instead ({ "params": { NAME: value } })`,
      );
    }
    const job = await this.load(id);
    const params = resolveParams(job.params ?? [], run.params ?? {});
    if (!params.ok) throw new DomainError('ValidationFailed', params.problems.join('; '));
    const spec = { ...job.spec } as Record<string, unknown>;
    if (run.args !== undefined) spec.args = run.args;
    if (run.env !== undefined) spec.env = { ...(spec.env as Record<string, string> | undefined), ...run.env };
    const row = { ...taskOfJob(job, { trigger: 'manual', scheduledAt: new Date(), oneWorker: true, params: params.values }), spec: validSpec(job.runner, spec) };
    const { task } = await this.lifecycle.submit(row, 'manual');
    return { taskId: task.id };
  }

  /** The job's next `count` due times after now. */
  async nextRuns(id: number, count: number): Promise<{ next: string[] }> {
    const job = await this.load(id);
    return preview(job.schedule, job.timezone, Date.now(), count, job.createdAt.getTime());
  }

  /** The job as `dto` would make it, checked as an update is (spec, schedule, notify, triggers), not saved. */
  private async prepare(job: CronJobEntity, dto: UpdateCronJob): Promise<CronJobEntity> {
    if (dto.runner !== undefined && dto.runner !== job.runner && dto.spec === undefined) {
      throw new DomainError('ValidationFailed', `spec: required when runner changes to '${dto.runner}'`);
    }
    if (dto.namespace !== undefined && dto.namespace !== job.namespace) {
      throw new DomainError('ValidationFailed', `namespace: a cron job never moves (it is in '${job.namespace}'); export it and apply it in '${dto.namespace}', then delete this one`);
    }
    this.checkNotify(dto.notify);
    if (dto.triggers !== undefined || (dto.name !== undefined && dto.name !== job.name)) {
      dto = { ...dto, triggers: await this.checkTriggers(job, dto.name ?? job.name, dto.triggers === undefined ? job.triggers : dto.triggers, job.namespace) };
    }
    const { schedule: input, secretEnv, ...rest } = stripUndefined(dto);
    const next: CronJobEntity = { ...job, ...rest, ...(secretEnv !== undefined ? this.sealed(secretEnv) : {}) } as CronJobEntity;
    if (input !== undefined) next.schedule = scheduleToString(input);
    if (dto.spec !== undefined) next.spec = validSpec(next.runner, dto.spec);
    checkParamsFit(next);
    const schedule = scheduleOf(next);
    const scheduleChanged = next.schedule !== job.schedule || next.timezone !== job.timezone || next.enabled !== job.enabled;
    if (scheduleChanged) next.nextRunAt = next.enabled ? nextRunOf(next, Date.now(), schedule) : null;
    return next;
  }

  /** Saves a changed job with its version (none when nothing changed), and tells the cluster. */
  private async commit(next: CronJobEntity, author: ChangeAuthor, rolledBackFrom: number | null): Promise<{ job: CronJobEntity; drafts: VersionDraft[] }> {
    let drafts: VersionDraft[] = [];
    const saved = await this.repo.saveWithHistory(next, (before) => (drafts = this.history.changed(before, next, author, rolledBackFrom)));
    await this.changed(saved.id);
    this.live.cronjob({ type: 'cronjob.updated', data: { cronjobId: saved.id, name: saved.name, enabled: saved.enabled, namespace: saved.namespace } });
    return { job: saved, drafts };
  }

  private async loadVersion(id: number, version: number) {
    const v = await this.versionRows.find(id, version);
    if (!v) throw new DomainError('CronJobVersionNotFound', `cron job ${id} has no version ${version}`);
    return v;
  }

  /**
   * Triggers name existing jobs of the same namespace and form no cycle across its jobs' triggers
   * (checked with this job's new name and triggers in place of its old ones); a renamed job must not
   * be named in others' triggers under its old name; the values an entry gives fit the params its
   * target declares now. Returns the triggers to store (empty lists dropped).
   */
  private async checkTriggers(job: Pick<CronJobEntity, 'id' | 'name'> | null, name: string, given: Triggers | null | undefined, namespace: string): Promise<Triggers | null> {
    const triggers = normalizeTriggers(given);
    const renamed = job !== null && job.name !== name;
    // A job that triggers nothing and keeps its name cannot close a cycle or name a missing job:
    // the usual create or edit reads nothing more.
    if (!triggers && !renamed) return null;
    const all = await this.repo.withTriggers(namespace);
    if (renamed) {
      const callers = all.filter((j) => j.id !== job.id && triggerTargets(j.triggers).includes(job.name)).map((j) => j.name);
      if (callers.length) throw new DomainError('ValidationFailed', `name: ${callers.map((c) => `'${c}'`).join(', ')} trigger this job as '${job.name}'; change their triggers first`);
    }
    const targets = triggerTargets(triggers).filter((t) => t !== name);
    const declared = await this.repo.paramsByName(targets, namespace);
    const missing = targets.filter((t) => !declared.has(t));
    if (missing.length) throw new DomainError('ValidationFailed', `triggers: no cron job named ${missing.map((m) => `'${m}'`).join(', ')}${inNamespaceLabel(namespace)}`);
    const graph = new Map<string, string[]>();
    for (const j of all) if (!job || j.id !== job.id) graph.set(j.name, triggerTargets(j.triggers));
    graph.set(name, triggerTargets(triggers));
    const cycle = findCycle(graph);
    if (cycle) throw new DomainError('ValidationFailed', `triggers: would form a cycle: ${describeCycle(cycle)}`);
    const problems = triggerParamsProblems(triggers, declared);
    if (problems.length) throw new DomainError('ValidationFailed', problems.join('; '));
    return triggers;
  }

  /** Email rules are refused while the server cannot send email, naming the missing settings. */
  private checkNotify(rules: CreateCronJob['notify'] | undefined): void {
    const i = (rules ?? []).findIndex((r) => r.email !== undefined);
    const why = i >= 0 ? emailUnavailable(this.config) : null;
    if (why) throw new DomainError('ValidationFailed', `notify.${i}.email: ${why}`);
  }

  /** The columns holding a secret environment: sealed values and the names; none for null or {}. */
  private sealed(secretEnv: Record<string, string> | null): Pick<CronJobEntity, 'secretEnv' | 'secretEnvKeys'> {
    const keys = Object.keys(secretEnv ?? {}).sort();
    if (!secretEnv || keys.length === 0) return { secretEnv: null, secretEnvKeys: null };
    return { secretEnv: this.secrets.seal(secretEnv), secretEnvKeys: keys };
  }

  private async changed(id: number): Promise<void> {
    await this.events.publish({ type: 'cronjob.changed', id });
  }

  private async load(id: number): Promise<CronJobEntity> {
    const job = await this.repo.findById(id);
    if (!job) throw notFound('CronJob', id);
    return job;
  }
}

/** Next due times of any schedule, for `GET /schedules/preview` and `GET /cronjobs/:id/next`. */
export function preview(schedule: ScheduleInput, timezone: string, fromMs: number, count: number, anchorMs = fromMs): { next: string[] } {
  const parsed = scheduleOf({ schedule, timezone });
  return { next: previewRunsMs(parsed, fromMs, count, anchorMs).map((ms) => new Date(ms).toISOString()) };
}

/** {@link paramsFitProblem} as a 400. */
function checkParamsFit(job: Parameters<typeof paramsFitProblem>[0]): void {
  const problem = paramsFitProblem(job);
  if (problem) throw new DomainError('ValidationFailed', problem);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
