import { createHash } from 'node:crypto';
import { Schema, type Connection, type Model } from 'mongoose';

/** What an emailed link proves once followed: the address (verify) or the right to set a password (reset). */
export type EmailLinkPurpose = 'verify' | 'reset';

/**
 * An emailed link waiting to be followed. Only a hash of its token is stored, so the collection
 * alone opens no account.
 */
export interface EmailLink {
  _id: string;
  purpose: EmailLinkPurpose;
  userId: string;
  /** The address it was mailed to: for `verify`, the address that becomes the account's. */
  email: string;
  expiresAt: Date;
}

const emailLinkSchema = new Schema<EmailLink>(
  {
    _id: { type: String, required: true },
    purpose: { type: String, enum: ['verify', 'reset'], required: true },
    userId: { type: String, required: true, index: true },
    email: { type: String, required: true },
    // MongoDB removes expired links by itself (TTL); a link is refused once expired either way.
    expiresAt: { type: Date, required: true, expires: 0 },
  },
  { versionKey: false },
);

function emailLinkModel(db: Connection): Model<EmailLink> {
  return db.models.EmailLink ?? db.model<EmailLink>('EmailLink', emailLinkSchema, 'email_links');
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Stores and consumes emailed links, by token hash. */
export class EmailLinkRepository {
  private readonly model: Model<EmailLink>;

  constructor(db: Connection) {
    this.model = emailLinkModel(db);
  }

  init(): Promise<void> {
    return this.model.init().then(() => undefined);
  }

  /** Stores a link; the user's earlier links of the same purpose stop working (the newest one counts). */
  async add(token: string, link: Omit<EmailLink, '_id'>): Promise<void> {
    await this.model.deleteMany({ userId: link.userId, purpose: link.purpose });
    await this.model.create({ _id: tokenHash(token), ...link });
  }

  /** Takes the link out (at most one caller gets it: single use), or null if there is none of that purpose. */
  async take(token: string, purpose: EmailLinkPurpose): Promise<EmailLink | null> {
    return this.model.findOneAndDelete({ _id: tokenHash(token), purpose }).lean();
  }

  /** After a reset: no other reset link of the user works. */
  async removeAll(userId: string, purpose: EmailLinkPurpose): Promise<void> {
    await this.model.deleteMany({ userId, purpose });
  }
}
