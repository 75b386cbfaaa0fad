import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { TaskStatus } from '@cronfleet/shared';
import { coerceError } from '@cronfleet/shared';
import type { ServerConfig } from '../config/config';
import type { Tokens } from '../config/secrets';
import { SERVER_CONFIG, TOKENS } from '../config/tokens';
import { TaskEvents } from '../tasks/lifecycle/task-events';
import { toPayload } from './core/notification-message';
import { eventsFor } from './core/notify-rule';
import { DeliveryQueue } from './delivery-queue';
import { MailSender } from './mail.sender';
import { NotificationsRepository } from './notifications.repository';
import { Batcher } from '../common/batcher';
import { webhookDelivery } from './webhook.sender';

const NOTIFIED: readonly TaskStatus[] = ['success', 'failed', 'timeout', 'lost'];
/** Task ends are collected this long, then one query finds those whose job has rules. */
const LOOKUP_DELAY_MS = 20;
/** Most task ends looked up by one query. */
const LOOKUP_BATCH = 500;

/** A task's end, announced once after it was committed. */
export interface TaskEndedEvent {
  taskId: number;
  status: TaskStatus;
  /** True when no retry follows: the run (all attempts of one due time) has ended with this task. */
  final: boolean;
  /** Wait before the retry that follows, in ms; null when `final`. */
  retryDelayMs: number | null;
}

type QueuedEnd = TaskEndedEvent & { endedAtMs: number };

/**
 * Sends a cron job's notifications when one of its tasks ends: on the `ended` TaskEvent, published once
 * a final status has committed, saying whether a retry follows and when (`eventsFor` turns that into
 * per-run or per-attempt events); every final status is committed exactly once, by one instance,
 * so each notification is made once in a cluster without any coordination (the cluster-wide
 * `task.finished` live event reaches every instance, which is why it is not used here).
 */
@Injectable()
export class TaskNotifier implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('notify');
  private readonly queue = new DeliveryQueue(this.logger);
  private readonly mail: MailSender | null;
  private unsubscribe: (() => void) | null = null;
  private readonly ends = new Batcher<QueuedEnd>((batch) => this.notifyBatch(batch), LOOKUP_DELAY_MS, LOOKUP_BATCH);

  constructor(
    private readonly repo: NotificationsRepository,
    @Inject(SERVER_CONFIG) config: ServerConfig,
    @Inject(TOKENS) private readonly tokens: Tokens,
    private readonly taskEvents: TaskEvents,
  ) {
    this.mail = config.smtpUrl && config.smtpFrom ? new MailSender({ url: config.smtpUrl, from: config.smtpFrom }) : null;
  }

  onModuleInit(): void {
    // Committed ends only; a late result corrects a record whose `lost` was notified already.
    this.unsubscribe = this.taskEvents.subscribe((e) => {
      if (e.type === 'ended' && !e.late) this.taskEnded({ taskId: e.task.id, status: e.status, final: e.final, retryDelayMs: e.retryDelayMs });
    });
  }

  /**
   * Never throws and never waits: the deliveries are made in the background. Ends are looked up in
   * batches (most jobs have no rules, and reading each task and its job cost two queries per task
   * ended, the largest share of the database work at a few thousand tasks a second).
   */
  taskEnded(e: TaskEndedEvent): void {
    if (!NOTIFIED.includes(e.status)) return;
    this.ends.add({ ...e, endedAtMs: Date.now() });
  }

  async onApplicationShutdown(): Promise<void> {
    this.unsubscribe?.();
    await this.ends.flush();
    this.queue.close();
    this.mail?.close();
  }

  private async notifyBatch(batch: QueuedEnd[]): Promise<void> {
    let withRules: Set<number>;
    try {
      withRules = await this.repo.withRules(batch.map((e) => e.taskId));
    } catch (e) {
      this.logger.warn(`${batch.length} task end(s): notifications not made: ${coerceError(e).message}`);
      return;
    }
    await Promise.all(
      batch
        .filter((e) => withRules.has(e.taskId))
        .map((e) => this.notify(e).catch((err: unknown) => this.logger.warn(`task ${e.taskId}: notifications not made: ${coerceError(err).message}`))),
    );
  }

  private async notify(end: QueuedEnd): Promise<void> {
    const { taskId, status } = end;
    const task = await this.repo.task(taskId);
    if (!task || task.cronjobId === null) return;
    const job = await this.repo.job(task.cronjobId);
    const rules = job?.notify ?? [];
    if (!job || rules.length === 0) return;
    const wantsRecovered = status === 'success' && rules.some((r) => r.on.includes('recovered'));
    const previous = wantsRecovered ? await this.repo.previousRunOutcome(task) : null;
    for (const event of eventsFor(end, previous)) {
      const payload = toPayload(event, job, task, end, Date.now());
      for (const rule of rules) {
        if (!rule.on.includes(event)) continue;
        if (rule.webhook) this.queue.push(webhookDelivery(rule.webhook.url, rule.webhook.headers, payload, this.tokens.webhookSecret));
        if (rule.email && this.mail) this.queue.push(this.mail.delivery(rule.email.to, payload));
        else if (rule.email) this.logger.warn(`task ${taskId}: email ${event} not sent: CRONFLEET_SMTP_URL and CRONFLEET_SMTP_FROM are not both set`);
      }
    }
  }
}
