import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { watch, type FSWatcher } from 'chokidar';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { coerceError, DEFAULT_NAMESPACE, triggerOrder } from '@cronfleet/shared';
import type { ServerConfig } from '../config/config';
import { SERVER_CONFIG } from '../config/tokens';
import type { ApplyStep, UpdateCronJob, CronJobView, LoadedFile, LoaderStatus } from '@cronfleet/shared';
import { CronJobsService } from '../cronjobs/cronjobs.service';
import { type ChangeAuthor, fileAuthor } from '../cronjobs/versions/cronjob-history';
import { archiveName, checkConfigJobs, checkJobFile, droppedJobs, duplicateAcrossFiles, JOB_FILE_RE, planFile, type FileCheck } from './job-files.plan';

/** How long a file must stay the same size before it is read: editors and `cp` write in several steps. */
const WRITE_SETTLE_MS = 300;
/** Start waits at most this long for the jobs directory's watch to be in place. */
const WATCH_READY_MAX_MS = 10_000;

/**
 * Jobs as files. Every `*.json|*.yaml|*.yml` directly in `CRONFLEET_JOBS_DIR` defines jobs by name,
 * in the formats of `cronfleet cronjobs apply`; `CRONFLEET_CONFIG`'s `jobs:` is one more such file,
 * read once at start.
 *
 *   file added or changed → every job checked first; if one is bad (or its name belongs to another
 *     file) the file is marked `error` and nothing changes; else each job is created or updated
 *     through CronJobsService, unchanged ones not written, and jobs the file no longer defines are
 *     disabled;
 *   file removed          → its jobs are disabled (watch mode only);
 *   archive mode          → a file is applied once, then moved to `archive/` (or `failed/`, with a
 *     `<file>.error` beside it).
 *
 * Every instance with the variable set runs a loader; since unchanged jobs are never written,
 * servers sharing a database and the same files converge without churn. Applies run one at a time,
 * in the order the events came, so a burst of edits cannot race. Which file defines which job is
 * kept in memory and rebuilt from the files at start.
 */
@Injectable()
export class JobFilesLoader implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('loader');
  private readonly files = new Map<string, LoadedFile>();
  /** Job name → the file defining it (its last good version). */
  private readonly owners = new Map<string, string>();
  /** Jobs this instance paused because their file went; resumed when a file defines them again. */
  private readonly pausedByLoader = new Set<string>();
  private watcher: FSWatcher | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(
    @Inject(SERVER_CONFIG) private readonly config: ServerConfig,
    private readonly jobs: CronJobsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const { configFile, jobsDir, jobsDirMode } = this.config;
    if (configFile) this.enqueue(() => this.applyConfig(configFile));
    if (!jobsDir) return;
    await mkdir(jobsDir, { recursive: true });
    if (jobsDirMode === 'archive') await Promise.all([mkdir(join(jobsDir, 'archive'), { recursive: true }), mkdir(join(jobsDir, 'failed'), { recursive: true })]);
    this.watcher = watch(jobsDir, {
      ignoreInitial: false,
      // Only the directory itself: archive/ and failed/ live below it.
      depth: 0,
      awaitWriteFinish: { stabilityThreshold: WRITE_SETTLE_MS, pollInterval: 100 },
      ignored: (path, stats) => stats?.isFile() === true && !JOB_FILE_RE.test(path),
    });
    this.watcher
      .on('add', (path) => this.enqueue(() => this.applyFile(path)))
      .on('change', (path) => this.enqueue(() => this.applyFile(path)))
      .on('unlink', (path) => this.enqueue(() => this.removeFile(path)))
      .on('error', (e) => this.logger.error(`watching ${jobsDir}: ${coerceError(e).message}`));
    // The server says it is up only once the directory is watched: a file dropped in right after
    // start (as a deploy script or the CI's test does) was otherwise missed now and then.
    const watcher = this.watcher;
    await new Promise<void>((resolve) => {
      const giveUp = setTimeout(resolve, WATCH_READY_MAX_MS);
      giveUp.unref();
      watcher.once('ready', () => {
        clearTimeout(giveUp);
        resolve();
      });
    });
    this.logger.log(`loading jobs from ${jobsDir} (${jobsDirMode} mode)`);
  }

  async onModuleDestroy(): Promise<void> {
    await this.watcher?.close();
    this.watcher = null;
    await this.queue;
  }

  status(): LoaderStatus {
    const files = [...this.files.values()].sort((a, b) => a.file.localeCompare(b.file));
    return { dir: this.config.jobsDir, mode: this.config.jobsDirMode, config: this.config.configFile, files };
  }

  /** Runs `fn` after every apply queued before it; a failure is logged and does not stop the queue. */
  private enqueue(fn: () => Promise<void>): void {
    this.queue = this.queue.then(fn).catch((e: unknown) => this.logger.error(`job files: ${coerceError(e).message}`));
  }

  private async applyConfig(path: string): Promise<void> {
    const text = await readFile(path, 'utf8').catch((e: unknown) => {
      this.record(path, { ok: false, error: `${path}: cannot be read: ${coerceError(e).message}` });
      return null;
    });
    if (text !== null) await this.apply(path, checkConfigJobs(text, path));
  }

  private async applyFile(path: string): Promise<void> {
    if (!JOB_FILE_RE.test(path)) return;
    const name = basename(path);
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return; // gone again before its turn; its unlink is queued
      throw e;
    }
    const ok = await this.apply(name, checkJobFile(text, name));
    if (this.config.jobsDirMode === 'archive') await this.archive(path, ok ? null : (this.files.get(name)?.error ?? 'refused'));
  }

  /** Applies a checked file, all or nothing; returns whether it was accepted. */
  private async apply(file: string, check: FileCheck): Promise<boolean> {
    const watchMode = this.config.jobsDirMode === 'watch' || file === this.config.configFile;
    const elsewhere = check.ok ? check.defs.find((d) => d.job.namespace !== undefined && d.job.namespace !== DEFAULT_NAMESPACE) : undefined;
    if (elsewhere) {
      check = {
        ok: false,
        error: `${file}: job '${elsewhere.name}': namespace: job files manage the '${DEFAULT_NAMESPACE}' namespace only; apply jobs of '${elsewhere.job.namespace}' with \`cronfleet apply -f\``,
      };
    }
    if (check.ok && watchMode) {
      const dup = duplicateAcrossFiles(file, check.defs, this.owners);
      if (dup) check = { ok: false, error: dup };
    }
    if (!check.ok) {
      this.record(file, check);
      this.logger.warn(`job file refused, nothing changed: ${check.error}`);
      return false;
    }
    const existing = await this.byName();
    let steps: ApplyStep[];
    try {
      steps = planFile(triggerOrder(check.defs), existing);
    } catch (e) {
      const refused = { ok: false as const, error: `${file}: ${coerceError(e).message}` };
      this.record(file, refused);
      this.logger.warn(`job file refused, nothing changed: ${refused.error}`);
      return false;
    }
    const counts = { created: 0, updated: 0, unchanged: 0, resumed: 0, disabled: 0 };
    const author = fileAuthor(file);
    try {
      for (const step of steps) {
        counts[step.action === 'create' ? 'created' : step.action === 'update' ? 'updated' : 'unchanged']++;
        const job = await this.carryOut(step, author);
        if (this.pausedByLoader.delete(step.def.name) && !job.enabled && !('enabled' in step.def.given)) {
          await this.jobs.setEnabled(job.id, true, author);
          counts.resumed++;
        }
      }
      if (watchMode) {
        const names = check.defs.map((d) => d.name);
        const dropped = droppedJobs(this.files.get(file)?.jobs ?? [], names);
        counts.disabled = await this.disable(dropped, existing, author);
        for (const n of dropped) this.owners.delete(n);
        for (const n of names) this.owners.set(n, file);
      }
    } catch (e) {
      // A write the checks could not foresee (a database error): jobs before it are applied.
      const error = `${file}: ${coerceError(e).message}`;
      this.record(file, { ok: false, error });
      this.logger.error(`job file partly applied: ${error}`);
      return false;
    }
    this.record(file, check);
    const changed = Object.entries(counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
    this.logger.log(`job file ${file}: ${changed.join(', ') || 'nothing to do'}`);
    return true;
  }

  private carryOut(step: ApplyStep, author: ChangeAuthor): Promise<CronJobView> {
    switch (step.action) {
      case 'create':
        return this.jobs.create(step.def.job, author, DEFAULT_NAMESPACE);
      case 'update':
        return this.jobs.update(step.id, step.patch as UpdateCronJob, author);
      case 'unchanged':
        return this.jobs.get(step.id);
    }
  }

  private async removeFile(path: string): Promise<void> {
    if (this.config.jobsDirMode === 'archive') return; // moved away by us, or removal means nothing here
    const name = basename(path);
    const gone = this.files.get(name);
    if (!gone) return;
    this.files.delete(name);
    const mine = gone.jobs.filter((n) => this.owners.get(n) === name);
    for (const n of mine) this.owners.delete(n);
    const disabled = await this.disable(mine, await this.byName(), fileAuthor(name));
    this.logger.log(`job file ${name} removed: ${disabled} of its ${mine.length} jobs disabled`);
  }

  /** Pauses the named jobs that exist and run; returns how many were paused. */
  private async disable(names: readonly string[], existing: ReadonlyMap<string, CronJobView>, author: ChangeAuthor): Promise<number> {
    let n = 0;
    for (const name of names) {
      const job = existing.get(name);
      if (!job?.enabled) continue;
      await this.jobs.setEnabled(job.id, false, author);
      this.pausedByLoader.add(name);
      n++;
    }
    return n;
  }

  private async archive(path: string, error: string | null): Promise<void> {
    const dir = join(this.config.jobsDir as string, error === null ? 'archive' : 'failed');
    const target = archiveName(basename(path), new Set(await readdir(dir)), Date.now());
    await rename(path, join(dir, target));
    if (error !== null) await writeFile(join(dir, `${target}.error`), `${error}\n`);
  }

  private record(file: string, check: FileCheck): void {
    const previous = this.files.get(file);
    this.files.set(file, {
      file,
      status: check.ok ? 'ok' : 'error',
      error: check.ok ? null : check.error,
      jobs: check.ok ? check.defs.map((d) => d.name) : (previous?.jobs ?? []),
      checkedAt: new Date().toISOString(),
    });
  }

  private async byName(): Promise<Map<string, CronJobView>> {
    return new Map((await this.jobs.list({ namespace: DEFAULT_NAMESPACE })).items.map((j) => [j.name, j]));
  }
}
