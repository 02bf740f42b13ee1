import mongoose from 'mongoose';
import { testUrls, uniqueNamespace } from '../testing';
import { isDuplicateKeyError } from './duplicate-key';

describe('isDuplicateKeyError', () => {
  it('tells a duplicate key from other failures and from values that are not errors', () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyError({ code: 11001 })).toBe(false);
    expect(isDuplicateKeyError({ code: '11000' })).toBe(false);
    expect(isDuplicateKeyError(new Error('E11000 duplicate key'))).toBe(false); // the message is not the code
    for (const value of [undefined, null, 11000, 'E11000']) expect(isDuplicateKeyError(value)).toBe(false);
  });

  it('counts a bulk write error only when every failed write was a duplicate', () => {
    expect(isDuplicateKeyError({ code: 11000, writeErrors: [{ code: 11000 }, { code: 11000 }] })).toBe(true);
    expect(isDuplicateKeyError({ code: 11000, writeErrors: [{ code: 11000 }, { code: 121 }] })).toBe(false);
    expect(isDuplicateKeyError({ code: 11000, writeErrors: [] })).toBe(true);
  });

  describe('against the database', () => {
    const db = mongoose.createConnection();
    const Thing = db.model('Thing', new mongoose.Schema({ _id: String, name: { type: String, unique: true } }));

    beforeAll(async () => {
      await db.openUri(`${testUrls().mongoUrl}/${uniqueNamespace()}-duplicate-key`);
      await Thing.init();
    });

    afterAll(async () => {
      await db.dropDatabase();
      await db.close();
    });

    const failureOf = (write: Promise<unknown>) =>
      write.then(
        () => undefined,
        (err: unknown) => err,
      );

    it('recognises what the driver throws for a duplicate _id and a duplicate unique field', async () => {
      await Thing.create({ _id: 'a', name: 'one' });
      expect(isDuplicateKeyError(await failureOf(Thing.create({ _id: 'a', name: 'two' })))).toBe(true);
      expect(isDuplicateKeyError(await failureOf(Thing.create({ _id: 'b', name: 'one' })))).toBe(true);
    });

    it('recognises an unordered bulk insert whose only failures are duplicates', async () => {
      const err = await failureOf(
        Thing.collection.insertMany([{ _id: 'c', name: 'c' } as never, { _id: 'a', name: 'x' } as never], {
          ordered: false,
        }),
      );
      expect(isDuplicateKeyError(err)).toBe(true);
    });

    it('does not mistake a validation failure for a duplicate', async () => {
      const Strict = db.model('Strict', new mongoose.Schema({ n: { type: Number, required: true } }));
      expect(isDuplicateKeyError(await failureOf(Strict.create({})))).toBe(false);
    });
  });
});
