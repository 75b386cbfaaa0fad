import { createTransport, type Transporter } from 'nodemailer';
import { ATTEMPT_TIMEOUT_MS, classifySmtpError } from './core/delivery-policy';
import { emailSubject, emailText, type NotificationPayload } from './core/notification-message';
import type { Delivery } from './delivery-queue';

/** The SMTP connection settings that email notifications need; null when not configured. */
export interface SmtpSettings {
  url: string;
  from: string;
}

/** Sends notification emails through one SMTP transport (opened on first use, closed with `close`). */
export class MailSender {
  private transport: Transporter | null = null;

  constructor(private readonly smtp: SmtpSettings) {}

  delivery(to: string[], payload: NotificationPayload): Delivery {
    return {
      what: `email ${payload.event} of task ${payload.task.id} to ${to.length} recipient(s)`,
      attempt: async () => {
        try {
          await this.open().sendMail({ from: this.smtp.from, to, subject: emailSubject(payload), text: emailText(payload) });
          return { outcome: 'ok', detail: 'sent' };
        } catch (e) {
          const err = e as { responseCode?: number; code?: string; message?: string };
          // nodemailer's messages can quote the server's reply, never the URL's password.
          return { outcome: classifySmtpError(err.responseCode), detail: `${err.code ?? 'error'}: ${err.message ?? 'unknown'}` };
        }
      },
    };
  }

  close(): void {
    this.transport?.close();
    this.transport = null;
  }

  private open(): Transporter {
    this.transport ??= createTransport({
      url: this.smtp.url,
      connectionTimeout: ATTEMPT_TIMEOUT_MS,
      greetingTimeout: ATTEMPT_TIMEOUT_MS,
      socketTimeout: ATTEMPT_TIMEOUT_MS,
    });
    return this.transport;
  }
}
