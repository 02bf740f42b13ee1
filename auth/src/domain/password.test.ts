import { hashPassword, needsRehash, verifyPassword, type ScryptParams } from './password';

// Small costs keep the suite fast; the parameters are what is under test, not their strength.
const current: ScryptParams = { cost: 1024, blockSize: 8, parallelization: 3 };
const older: ScryptParams = { cost: 1024, blockSize: 8, parallelization: 1 };

describe('password hashing', () => {
  it('verifies the password it hashed, and no other', async () => {
    const hash = await hashPassword('correct horse battery', current);
    expect(hash).toMatch(/^scrypt\$1024\$8\$3\$/);
    expect([await verifyPassword('correct horse battery', hash), await verifyPassword('correct horse', hash)]).toEqual([
      true,
      false,
    ]);
  });

  it('still verifies a hash made with older parameters, and says it needs hashing again', async () => {
    // The format every hash had before p was raised: scrypt$N$r$1$salt$key.
    const old = await hashPassword('correct horse battery', older);
    expect(await verifyPassword('correct horse battery', old)).toBe(true);
    expect([needsRehash(old, current), needsRehash(await hashPassword('x', current), current)]).toEqual([true, false]);
  });
});
