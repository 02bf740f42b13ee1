import { BadRequestError, ConflictError, type CurrentUser, newAggregateId } from '@postline/common';
import type { User } from '../data-access/user-model';
import type { UserRepository } from '../data-access/user-repository';
import { userProfileData } from '../event-payloads/user-events';
import { decoyHash, hashPassword, verifyPassword } from './password';
import { newUser } from './user-changes';
import { reservedUsernames, roleFor } from './user-rules';

export interface AccountSettings {
  moderatorEmails: string[];
  scryptCost: number;
}

/** Sign-up and sign-in, independent of HTTP. */
export class Accounts {
  private decoy?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly settings: AccountSettings,
  ) {}

  /**
   * A new account, signed in at once. An address already named by another account does not stop
   * it (saying so would tell anyone which addresses have accounts): the account is made, but
   * never holds that address (EmailVerification.afterSignUp mails the address's owner instead).
   * Every new account starts unverified, so with the role `user`.
   */
  async signUp(input: { email: string; username: string; password: string }): Promise<CurrentUser> {
    if (reservedUsernames.has(input.username)) throw new ConflictError('Username is taken', 'username');
    // Checked first for a friendly answer; the unique index decides races.
    if (await this.users.findByUsername(input.username)) throw new ConflictError('Username is taken', 'username');
    const record = newUser(
      {
        email: input.email,
        username: input.username,
        passwordHash: await hashPassword(input.password, this.settings.scryptCost),
        role: 'user',
      },
      newAggregateId(),
      new Date(),
    );
    const user = await this.users.insert(record, { subject: 'user.created', data: userProfileData(record) });
    if (user) return toCurrentUser(user);
    throw new ConflictError('Username is taken', 'username');
  }

  /** The same answer, in about the same time, for an unknown email and a wrong password. */
  async signIn(input: { email: string; password: string }): Promise<CurrentUser> {
    const user = await this.users.findByEmail(input.email);
    const hash = user?.passwordHash ?? (await (this.decoy ??= decoyHash(this.settings.scryptCost)));
    const matches = await verifyPassword(input.password, hash);
    if (!user || !matches) throw new BadRequestError('Invalid email or password');
    // The role follows configuration (for a verified address), so granting or revoking moderator takes effect at next sign-in.
    return { ...toCurrentUser(user), role: roleFor(user, this.settings.moderatorEmails) };
  }
}

export function toCurrentUser(user: User): CurrentUser {
  return { id: user._id, email: user.email, username: user.username, role: user.role };
}
