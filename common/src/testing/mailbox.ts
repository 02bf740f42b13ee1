import { eventually } from './event-recorder';

/** A mail as Mailpit's API gives it, with the links found in its text. */
export interface ReceivedMail {
  id: string;
  to: string[];
  subject: string;
  text: string;
  links: string[];
}

interface MessageSummary {
  ID: string;
}

interface Message {
  ID: string;
  To: { Address: string }[];
  Subject: string;
  Text: string;
}

/** The token of the link in a mail (mailed links carry it in the fragment: `…#token=…`). */
export function linkToken(mail: { links: string[] }): string {
  const token = mail.links.map((link) => /#token=([\w-]+)/.exec(link)?.[1]).find(Boolean);
  if (!token) throw new Error(`no link with a token in: ${JSON.stringify(mail.links)}`);
  return token;
}

/**
 * Reads the mail a real SMTP server (Mailpit) received, through its HTTP API, so tests can follow
 * what a reader would find in their inbox.
 */
export class Mailbox {
  constructor(private readonly inboxUrl: string) {}

  /** Every mail to `address`, newest first. */
  async mailTo(address: string): Promise<ReceivedMail[]> {
    const query = encodeURIComponent(`to:"${address}"`);
    const list = (await this.get(`/api/v1/search?query=${query}&limit=50`)) as { messages: MessageSummary[] };
    const mails = await Promise.all(list.messages.map((m) => this.get(`/api/v1/message/${m.ID}`) as Promise<Message>));
    // Mailpit's search matches parts of addresses too (`to:"a@x"` finds `ba@x`): keep the exact ones.
    const exact = mails.filter((m) => m.To.some((t) => t.Address.toLowerCase() === address.toLowerCase()));
    return exact.map((m) => ({
      id: m.ID,
      to: m.To.map((t) => t.Address.toLowerCase()),
      subject: m.Subject,
      text: m.Text,
      links: m.Text.match(/https?:\/\/\S+/g) ?? [],
    }));
  }

  /** Waits for the `count`-th mail to `address` (1: the first), and returns the newest. */
  async waitForMail(address: string, count = 1, timeoutMs = 10_000): Promise<ReceivedMail> {
    const mails = await eventually(
      async () => {
        const found = await this.mailTo(address);
        return found.length >= count ? found : undefined;
      },
      timeoutMs,
      `mail #${count} to ${address}`,
    );
    return mails[0]!;
  }

  private async get(path: string): Promise<unknown> {
    const res = await fetch(`${this.inboxUrl}${path}`);
    if (!res.ok) throw new Error(`Mailpit ${path}: HTTP ${res.status}`);
    return res.json();
  }
}
