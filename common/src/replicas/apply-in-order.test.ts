import { mongo } from 'mongoose';
import { RetryLaterError } from '../events/event-listener';
import { testUrls, uniqueNamespace } from '../testing';
import { applyInOrder, decideApply } from './apply-in-order';

interface Copy {
  _id: string;
  version: number;
  name: string;
  deleted?: boolean;
}

const client = new mongo.MongoClient(testUrls().mongoUrl);
let copies: mongo.Collection<Copy>;

beforeAll(async () => {
  await client.connect();
  copies = client.db(`${uniqueNamespace()}-apply`).collection<Copy>('copies');
});

afterAll(async () => {
  await copies.db.dropDatabase();
  await client.close();
});

const event = (id: string, version: number) => ({ subject: 'thing.changed', aggregateId: id, version });
const create = (id: string, name: string) => ({ create: () => ({ _id: id, version: 0, name }) });
const rename = (name: string) => ({ update: { $set: { name } } });
const stored = (id: string) => copies.findOne({ _id: id });

describe('decideApply', () => {
  it('applies the next version, acknowledges old ones and holds one that skips a version', () => {
    expect(decideApply(undefined, 0)).toBe('apply');
    expect(decideApply(2, 3)).toBe('apply');
    expect(decideApply(2, 2)).toBe('already-applied');
    expect(decideApply(2, 0)).toBe('already-applied');
    expect(() => decideApply(2, 4)).toThrow(RetryLaterError);
    expect(() => decideApply(undefined, 1)).toThrow(RetryLaterError);
  });
});

describe('applyInOrder, contiguous', () => {
  it('creates at version 0, updates each next version once, and holds a gap until it is filled', async () => {
    expect(await applyInOrder(copies, event('a', 0), create('a', 'zero'))).toBe('applied');
    expect(await applyInOrder(copies, event('a', 0), create('a', 'again'))).toBe('already-applied');
    await expect(applyInOrder(copies, event('a', 2), rename('two'))).rejects.toThrow(RetryLaterError);
    expect(await stored('a')).toEqual({ _id: 'a', version: 0, name: 'zero' });

    expect(await applyInOrder(copies, event('a', 1), rename('one'))).toBe('applied');
    expect(await applyInOrder(copies, event('a', 2), rename('two'))).toBe('applied');
    expect(await applyInOrder(copies, event('a', 1), rename('one'))).toBe('already-applied');
    expect(await stored('a')).toEqual({ _id: 'a', version: 2, name: 'two' });
  });

  it('holds an update of a copy not created yet', async () => {
    await expect(applyInOrder(copies, event('b', 1), rename('one'))).rejects.toThrow(RetryLaterError);
    expect(await stored('b')).toBeNull();
  });

  it('holds an update whose guard no longer holds, and applies it once the guard is true again', async () => {
    await applyInOrder(copies, event('c', 0), create('c', 'zero'));
    await copies.updateOne({ _id: 'c' }, { $set: { deleted: true } });
    const guarded = { ...rename('one'), guard: { deleted: { $ne: true } } };
    await expect(applyInOrder(copies, event('c', 1), guarded)).rejects.toThrow(RetryLaterError);
    await copies.updateOne({ _id: 'c' }, { $set: { deleted: false } });
    expect(await applyInOrder(copies, event('c', 1), guarded)).toBe('applied');
  });

  it('applies one of two concurrent deliveries of a version, and calls the other a duplicate', async () => {
    await applyInOrder(copies, event('d', 0), create('d', 'zero'));
    const outcomes = await Promise.all([1, 2, 3, 4].map(() => applyInOrder(copies, event('d', 1), rename('one'))));
    expect(outcomes.filter((o) => o === 'applied')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'already-applied')).toHaveLength(3);
  });
});

describe('applyInOrder, newer', () => {
  const newer = { order: 'newer' as const };

  it('skips versions it does not follow and treats an older one as a duplicate', async () => {
    expect(await applyInOrder(copies, event('e', 0), create('e', 'zero'), newer)).toBe('applied');
    expect(await applyInOrder(copies, event('e', 3), rename('three'), newer)).toBe('applied');
    expect(await applyInOrder(copies, event('e', 2), rename('two'), newer)).toBe('already-applied');
    expect(await applyInOrder(copies, event('e', 3), rename('three again'), newer)).toBe('already-applied');
    expect(await stored('e')).toEqual({ _id: 'e', version: 3, name: 'three' });
  });

  it('holds an event about a copy not created yet', async () => {
    await expect(applyInOrder(copies, event('f', 4), rename('four'), newer)).rejects.toThrow(/not known yet/);
  });
});
