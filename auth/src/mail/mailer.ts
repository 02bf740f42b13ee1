import nodemailer, { type Transporter } from 'nodemailer';
import { ServiceUnavailableError } from '@postline/common';
import type { AuthConfig } from '../config';

/** A mail as the domain writes it: plain text, one recipient. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
}

/** Sends mail over SMTP (nodemailer), from `MAIL_FROM`. */
export class Mailer {
  private readonly transport: Transporter;
  private readonly from: string;

  constructor(
    config: Pick<AuthConfig, 'SMTP_HOST' | 'SMTP_PORT' | 'SMTP_SECURE' | 'SMTP_USER' | 'SMTP_PASSWORD' | 'MAIL_FROM'>,
  ) {
    this.transport = nodemailer.createTransport({
      host: config.SMTP_HOST,
      port: config.SMTP_PORT,
      secure: config.SMTP_SECURE === 'true',
      auth: config.SMTP_USER ? { user: config.SMTP_USER, pass: config.SMTP_PASSWORD } : undefined,
      // A stalled relay must not hold a request for nodemailer's default of minutes.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
    this.from = config.MAIL_FROM;
  }

  /** @throws ServiceUnavailableError (503) when the relay refuses or cannot be reached, the cause attached */
  async send(mail: Mail): Promise<void> {
    try {
      await this.transport.sendMail({ from: this.from, to: mail.to, subject: mail.subject, text: mail.text });
    } catch (err) {
      throw Object.assign(new ServiceUnavailableError('The mail could not be sent; try again later'), { cause: err });
    }
  }

  close(): void {
    this.transport.close();
  }
}
