import { z } from 'zod';

/**
 * How auth sends mail (SMTP) and the links it mails. The defaults reach the local SMTP server
 * (Mailpit) `npm start` runs; on Kubernetes the relay's settings come from the `auth-smtp` Secret.
 */
export const mailEnv = z.object({
  SMTP_HOST: z.string().min(1).default('127.0.0.1'),
  SMTP_PORT: z.coerce.number().int().min(1).max(65535).default(1025),
  /** `true`: TLS from the first byte (port 465). Otherwise STARTTLS is used whenever the server offers it. */
  SMTP_SECURE: z.enum(['true', 'false']).default('false'),
  /** Unset or empty: no login (the local server). */
  SMTP_USER: z.string().default(''),
  SMTP_PASSWORD: z.string().default(''),
  MAIL_FROM: z.string().min(3).default('Postline <no-reply@postline.localhost>'),
  /** The origin readers reach the site at; mailed links point there (the client's pages). */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).default('http://localhost:8080'),
  /** How long an emailed link works. */
  VERIFY_LINK_TTL_MINUTES: z.coerce.number().int().positive().default(60),
  RESET_LINK_TTL_MINUTES: z.coerce.number().int().positive().default(30),
});
