import { randomBytes } from 'node:crypto';
import { BadRequestError, ConflictError, type CurrentUser, type Logger } from '@postline/common';
import type { EmailLinkRepository } from '../data-access/email-link-repository';
import type { User } from '../data-access/user-model';
import type { UserRepository } from '../data-access/user-repository';
import { userProfileData } from '../event-payloads/user-events';
import type { Mailer } from '../mail/mailer';
import {
  addressTakenAtChangeMail,
  addressTakenAtSignUpMail,
  noAccountMail,
  resetLink,
  resetPasswordMail,
  verifyAddressMail,
  verifyLink,
} from './account-mails';
import { toCurrentUser } from './accounts';
import { hashPassword, verifyPassword, type ScryptParams } from './password';
import type { Sessions } from './sessions';
import type { UserChange } from './user-changes';
import { isVerified, roleFor } from './user-rules';

export interface EmailVerificationSettings {
  /** Where a sign-up's mail that could not be sent is reported (the sign-up stands). */
  logger: Pick<Logger, 'warn'>;
  moderatorEmails: string[];
  passwordHashing: ScryptParams;
  /** The site's origin, for the links. */
  publicUrl: string;
  verifyTtlMinutes: number;
  resetTtlMinutes: number;
}

/** The one answer to a link that is unknown, already used, expired or of another purpose. */
export const invalidLinkMessage = 'This link is invalid or has expired';

/**
 * The account now holds `email`, proven by a link mailed there; the role follows (a role is only
 * ever granted to a proven address), and a role that changes is announced (it is public).
 */
export function addressProven(user: User, email: string, moderatorEmails: string[]): UserChange | undefined {
  if (user.email === email && user.verifiedEmail === email) return undefined;
  const role = roleFor({ email, verifiedEmail: email }, moderatorEmails);
  const set = { email, verifiedEmail: email, role };
  if (role === user.role) return { set };
  return { set, event: { subject: 'user.updated', data: userProfileData({ ...user, role }) } };
}

/**
 * Emailed links that prove an address (at sign-up and on an email change) or let its owner choose
 * a new password. A link is a random 256-bit token, stored only as its hash, used once, and good
 * for a few minutes. Every answer is the same whether or not an address has an account; the mail
 * says which case it was.
 */
export class EmailVerification {
  constructor(
    private readonly users: UserRepository,
    private readonly links: EmailLinkRepository,
    private readonly mailer: Mailer,
    private readonly sessions: Pick<Sessions, 'endEveryOtherSession'>,
    private readonly settings: EmailVerificationSettings,
  ) {}

  /**
   * After a sign-up: the account that holds its address gets a link to prove it; one made with an
   * address another account holds gets none, and the holder hears of it. The account is made
   * either way: a mail that fails is logged, and sent again from the "check your inbox" page.
   */
  async afterSignUp(user: CurrentUser): Promise<void> {
    try {
      const holder = await this.users.findByEmail(user.email);
      if (!holder || holder._id === user.id) {
        await this.mailVerifyLink(user.id, user.username, user.email);
      } else {
        await this.mailer.send(
          addressTakenAtSignUpMail(user.email, user.username, holder.username, this.settings.publicUrl),
        );
      }
    } catch (err) {
      this.settings.logger.warn({ err, userId: user.id }, 'the sign-up mail was not sent');
    }
  }

  /** Another link for a signed-in account that has not proven its address yet (the newest one counts). */
  async resendVerification(userId: string): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || isVerified(user)) return;
    const holder = await this.users.findByEmail(user.email);
    if (holder?._id !== user._id) return; // an address another account holds is never proven by this one
    await this.mailVerifyLink(user._id, user.username, user.email);
  }

  /**
   * A new address takes effect only once proven: a link goes there, and until it is followed the
   * account keeps the address it has. The password is asked again, since a stolen session should
   * not be enough to take an account over by its address.
   */
  async requestEmailChange(userId: string, input: { email: string; password: string }): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user || !(await verifyPassword(input.password, user.passwordHash))) {
      throw new BadRequestError('Password is wrong', 'password');
    }
    if (input.email === user.email && isVerified(user)) return;
    const holder = await this.users.findByEmail(input.email);
    if (holder && holder._id !== user._id) {
      await this.mailer.send(addressTakenAtChangeMail(input.email, user.username, holder.username));
      return;
    }
    await this.mailVerifyLink(user._id, user.username, input.email);
  }

  /** Follows a verification link: the account now holds the address. */
  async verify(token: string): Promise<CurrentUser> {
    const link = await this.links.take(token, 'verify');
    if (!link || link.expiresAt.getTime() <= Date.now()) throw new BadRequestError(invalidLinkMessage, 'token');
    return this.prove(link.userId, link.email);
  }

  /** A reset link for the account the address belongs to, or a mail saying there is none. */
  async requestPasswordReset(email: string): Promise<void> {
    const user = await this.users.findByEmail(email);
    if (!user) {
      await this.mailer.send(noAccountMail(email, this.settings.publicUrl));
      return;
    }
    const token = newToken();
    await this.links.add(token, {
      purpose: 'reset',
      userId: user._id,
      email,
      expiresAt: minutesFromNow(this.settings.resetTtlMinutes),
    });
    await this.mailer.send(
      resetPasswordMail(email, user.username, resetLink(this.settings.publicUrl, token), this.settings.resetTtlMinutes),
    );
  }

  /**
   * Follows a reset link: the new password is set, and since the link reached the inbox, the
   * address counts as proven too. Every other reset link of the account stops working, and every
   * session of it ends: whoever knew the old password is signed out everywhere.
   */
  async resetPassword(token: string, password: string): Promise<CurrentUser> {
    const link = await this.links.take(token, 'reset');
    if (!link || link.expiresAt.getTime() <= Date.now()) throw new BadRequestError(invalidLinkMessage, 'token');
    const passwordHash = await hashPassword(password, this.settings.passwordHashing);
    await this.links.removeAll(link.userId, 'reset');
    const result = await this.changeOrConflict(link.userId, (user) => {
      // The account moved to another address since: the link was for the old one.
      if (user.email !== link.email) throw new BadRequestError(invalidLinkMessage, 'token');
      const proven = addressProven(user, link.email, this.settings.moderatorEmails);
      return { ...proven, set: { ...proven?.set, passwordHash } };
    });
    await this.sessions.endEveryOtherSession(link.userId);
    return toCurrentUser(result);
  }

  private async prove(userId: string, email: string): Promise<CurrentUser> {
    const user = await this.changeOrConflict(userId, (current) =>
      addressProven(current, email, this.settings.moderatorEmails),
    );
    return toCurrentUser(user);
  }

  /**
   * A change that may take a verified address; another account having proven it first is a 409.
   * One that changes the role is announced (version-guarded, with its event); one that changes
   * only what no event carries is written as it is.
   */
  private async changeOrConflict(userId: string, plan: (user: User) => UserChange | undefined): Promise<User> {
    try {
      const current = await this.users.findById(userId);
      if (!current) throw new BadRequestError(invalidLinkMessage, 'token'); // the account is gone
      const planned = plan(current);
      if (!planned) return current;
      const result = planned.event
        ? (await this.users.change(userId, plan))?.doc
        : await this.users.setPrivate(userId, planned.set ?? {});
      if (!result) throw new BadRequestError(invalidLinkMessage, 'token');
      // A role given or taken back: the account's tokens carry the old one.
      if (planned.event) await this.sessions.endEveryOtherSession(userId);
      return result;
    } catch (err) {
      if ((err as { code?: number }).code === 11000) {
        throw new ConflictError('This address now belongs to another account', 'email');
      }
      throw err;
    }
  }

  private async mailVerifyLink(userId: string, username: string, email: string): Promise<void> {
    const token = newToken();
    const ttl = this.settings.verifyTtlMinutes;
    await this.links.add(token, { purpose: 'verify', userId, email, expiresAt: minutesFromNow(ttl) });
    await this.mailer.send(verifyAddressMail(email, username, verifyLink(this.settings.publicUrl, token), ttl));
  }
}

function newToken(): string {
  return randomBytes(32).toString('base64url');
}

function minutesFromNow(minutes: number): Date {
  return new Date(Date.now() + minutes * 60_000);
}
