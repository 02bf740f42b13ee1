import { BadRequestError, ConflictError, type CurrentUser, newAggregateId, NotFoundError } from '@postline/common';
import type { User } from '../data-access/user-model';
import type { UserRepository } from '../data-access/user-repository';
import { userProfileData } from '../event-payloads/user-events';
import { decoyHash, hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password';
import type { Sessions } from './sessions';
import { newUser, roleChange } from './user-changes';
import { reservedUsernames, roleFor } from './user-rules';

export interface AccountSettings {
  moderatorEmails: string[];
  passwordHashing: ScryptParams;
}

/** Sign-up, sign-in, password changes and roles, independent of HTTP. */
export class Accounts {
  private decoy?: Promise<string>;

  constructor(
    private readonly users: UserRepository,
    private readonly sessions: Sessions,
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
        passwordHash: await hashPassword(input.password, this.settings.passwordHashing),
        role: 'user',
      },
      newAggregateId(),
      new Date(),
    );
    const user = await this.users.insert(record, { subject: 'user.created', data: userProfileData(record) });
    if (user) return toCurrentUser(user);
    throw new ConflictError('Username is taken', 'username');
  }

  /**
   * The same answer, in about the same time, for an unknown email and a wrong password. A hash
   * made with older parameters is replaced by one with the current ones.
   */
  async signIn(input: { email: string; password: string }): Promise<CurrentUser> {
    const user = await this.users.findByEmail(input.email);
    const hash = user?.passwordHash ?? (await (this.decoy ??= decoyHash(this.settings.passwordHashing)));
    const matches = await verifyPassword(input.password, hash);
    if (!user || !matches) throw new BadRequestError('Invalid email or password');
    if (needsRehash(user.passwordHash, this.settings.passwordHashing)) {
      const upgraded = await hashPassword(input.password, this.settings.passwordHashing);
      // Lost to a password change meanwhile: that one stands.
      await this.users.replacePasswordHash(user._id, user.passwordHash, upgraded);
    }
    return toCurrentUser((await this.applyRole(user._id)) ?? user);
  }

  /**
   * A signed-in user's new password. Every other session of theirs ends; `keepSessionId`, the one
   * that asked, stands.
   */
  async changePassword(
    userId: string,
    input: { currentPassword: string; newPassword: string },
    keepSessionId: string | undefined,
  ): Promise<void> {
    const user = await this.users.findById(userId);
    if (!user) throw new NotFoundError('User not found');
    if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
      throw new BadRequestError('Current password is wrong', 'currentPassword');
    }
    const replaced = await this.users.replacePasswordHash(
      userId,
      user.passwordHash,
      await hashPassword(input.newPassword, this.settings.passwordHashing),
    );
    if (!replaced) throw new ConflictError('The password was changed meanwhile; try again');
    await this.sessions.endEveryOtherSession(userId, keepSessionId);
  }

  /**
   * Brings every stored role to what the moderator list says, at start: a role given or taken
   * back is announced (`user.updated`) and ends the user's sessions, whose tokens carry the old
   * role, so the change holds in every service within moments, not at the token's expiry.
   */
  async applyModeratorList(): Promise<number> {
    const { moderatorEmails } = this.settings;
    const differ = (await this.users.roleCandidates(moderatorEmails)).filter(
      (user) => user.role !== roleFor(user, moderatorEmails),
    );
    for (const user of differ) await this.applyRole(user._id);
    return differ.length;
  }

  /** The user after their role is made what the list says (sessions ended if it changed); null if unknown. */
  private async applyRole(userId: string): Promise<User | null> {
    const result = await this.users.change(userId, (user) =>
      roleChange(user, roleFor(user, this.settings.moderatorEmails)),
    );
    if (result?.changed) await this.sessions.endEveryOtherSession(userId);
    return result?.doc ?? null;
  }
}

export function toCurrentUser(user: User): CurrentUser {
  return { id: user._id, email: user.email, username: user.username, role: user.role };
}
