import mongoose from 'mongoose';
import { testUrls, uniqueNamespace } from '../testing';
import { guardedFilter, isFerretDb } from './server-kind';

describe('isFerretDb', () => {
  it('recognises the FerretDB the test run starts, and drops the version from guarded filters there', async () => {
    // jest's global setup starts FerretDB (infra/local/ferretdb) for every run.
    const db = await mongoose.createConnection(`${testUrls().mongoUrl}/${uniqueNamespace()}-kind`).asPromise();
    try {
      expect(await isFerretDb(db)).toBe(true);
      expect(await guardedFilter(db, 'a', 3)).toEqual({ _id: 'a' });
    } finally {
      await db.close();
    }
  });
});
