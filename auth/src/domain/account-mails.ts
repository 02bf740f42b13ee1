import type { Mail } from '../mail/mailer';

/**
 * What each mail says. The HTTP answers are the same whether or not an address has an account;
 * the mail, read only by whoever holds the inbox, says which case it was.
 */

/** The site's pages that mailed links open (client/src/app); the token travels in the fragment, never to a server log. */
export function verifyLink(publicUrl: string, token: string): string {
  return `${publicUrl}/verify-email#token=${token}`;
}

export function resetLink(publicUrl: string, token: string): string {
  return `${publicUrl}/reset-password#token=${token}`;
}

const signature = '\n\n— Postline';

export function verifyAddressMail(to: string, username: string, link: string, ttlMinutes: number): Mail {
  return {
    to,
    subject: 'Confirm your email address',
    text:
      `Hello ${username},\n\nconfirm that this address is yours by opening this link ` +
      `(it works once, for ${ttlMinutes} minutes):\n\n${link}\n\n` +
      `If you did not sign up or change your address on Postline, ignore this mail.${signature}`,
  };
}

/** A sign-up named an address another account already has: no link, only the news. */
export function addressTakenAtSignUpMail(to: string, newUsername: string, holder: string, publicUrl: string): Mail {
  return {
    to,
    subject: 'Someone signed up with your address',
    text:
      `Someone just signed up on Postline as "${newUsername}" with this address, which already ` +
      `belongs to the account "${holder}". Nothing changed for "${holder}", and "${newUsername}" ` +
      `cannot use this address.\n\nIf it was you: sign in as "${holder}" (${publicUrl}/signin), or ` +
      `choose a new password at ${publicUrl}/forgot-password.${signature}`,
  };
}

/** An email change named an address another account already has. */
export function addressTakenAtChangeMail(to: string, requester: string, holder: string): Mail {
  return {
    to,
    subject: 'Someone asked to use your address',
    text:
      `The Postline account "${requester}" asked to use this address, which already belongs to the ` +
      `account "${holder}". Nothing changed.${signature}`,
  };
}

export function resetPasswordMail(to: string, username: string, link: string, ttlMinutes: number): Mail {
  return {
    to,
    subject: 'Choose a new password',
    text:
      `Hello ${username},\n\nsomeone (we hope you) asked to choose a new password for this account. ` +
      `Open this link to do so (it works once, for ${ttlMinutes} minutes):\n\n${link}\n\n` +
      `Choosing a new password signs you out everywhere else. If you did not ask, ignore this ` +
      `mail: your password stays as it is.${signature}`,
  };
}

/** A reset asked for an address with no account. */
export function noAccountMail(to: string, publicUrl: string): Mail {
  return {
    to,
    subject: 'No Postline account for this address',
    text:
      `Someone asked to reset the password of a Postline account with this address, but no account ` +
      `uses it. If it was you, perhaps you signed up with another address, or sign up at ` +
      `${publicUrl}/signup. Otherwise ignore this mail.${signature}`,
  };
}
