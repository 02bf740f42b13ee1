/** 3 to 30 lower-case ASCII letters, digits or underscores: a username is a path segment (`/users/:username`). */
export const usernamePattern = /^[a-z0-9_]{3,30}$/;

export const usernameMessage = 'Username must be 3 to 30 letters, digits or underscores';

/** Usernames are compared trimmed and lower-case: "  Alice " is alice. */
export function normaliseUsername(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Whether a (normalised) value can be a username. */
export function isUsername(value: string): boolean {
  return usernamePattern.test(value);
}
