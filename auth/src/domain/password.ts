import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are hashed with scrypt from node:crypto, a memory-hard KDF, with a
 * per-user random salt. The parameters are stored with the hash, so they can be
 * raised later: an old hash still verifies, and is replaced at the next
 * sign-in (`needsRehash`).
 */
export interface ScryptParams {
  /** N, a power of two: memory is 128 · N · r bytes. */
  cost: number;
  /** r */
  blockSize: number;
  /** p: independent rounds, computed one after another by Node, so time grows with it and memory does not. */
  parallelization: number;
}

/**
 * OWASP's Password Storage Cheat Sheet lists equivalent scrypt settings, from N=2^17, r=8, p=1
 * (128 MiB per hash) to N=2^13, r=8, p=10; N=2^15, r=8, p=3 is one of them and keeps a hash at
 * 32 MiB, so sign-ins at once fit a pod's memory.
 */
export const owaspScrypt: ScryptParams = { cost: 2 ** 15, blockSize: 8, parallelization: 3 };

/**
 * Longer passwords are refused with a 400 (OWASP ASVS 2.1.2: allow at least 64 characters, deny
 * more than 128), so nobody makes the server hash megabytes.
 */
export const maxPasswordLength = 128;

const KEY_LENGTH = 32;

function derive(password: string, salt: Buffer, params: ScryptParams): Promise<Buffer> {
  // scrypt needs 128 * N * r bytes; allow that plus headroom.
  const options: ScryptOptions = {
    N: params.cost,
    r: params.blockSize,
    p: params.parallelization,
    maxmem: 256 * params.cost * params.blockSize,
  };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFKC'), salt, KEY_LENGTH, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(16);
  const key = await derive(password, salt, params);
  const { cost, blockSize, parallelization } = params;
  return ['scrypt', cost, blockSize, parallelization, salt.toString('base64'), key.toString('base64')].join('$');
}

/** `scrypt$N$r$p$salt$key`, as every hash since the first was written. */
function parse(stored: string): { params: ScryptParams; salt: Buffer; key: Buffer } | null {
  const [scheme, cost, blockSize, parallelization, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return null;
  const params = { cost: Number(cost), blockSize: Number(blockSize), parallelization: Number(parallelization) };
  return { params, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed) return false;
  const actual = await derive(password, parsed.salt, parsed.params);
  return actual.length === parsed.key.length && timingSafeEqual(actual, parsed.key);
}

/** Whether a stored hash was made with other parameters than `params` (weaker, or just older): hash it again at sign-in. */
export function needsRehash(stored: string, params: ScryptParams): boolean {
  const parsed = parse(stored);
  return (
    !parsed ||
    parsed.params.cost !== params.cost ||
    parsed.params.blockSize !== params.blockSize ||
    parsed.params.parallelization !== params.parallelization
  );
}

/**
 * A hash to verify against when the email is unknown, so that signing in with
 * an unknown email costs the same time as a wrong password.
 */
export function decoyHash(params: ScryptParams): Promise<string> {
  return hashPassword(randomBytes(12).toString('hex'), params);
}
