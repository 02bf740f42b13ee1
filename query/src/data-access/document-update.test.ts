import { updateOf } from './document-update';

describe('the update from one state of a document to the next', () => {
  it('sets only the fields that differ, and a map key by key', () => {
    const before = {
      _id: 'c',
      body: 'a',
      at: new Date(1),
      tags: ['x'],
      moderation: { m1: 0 } as Record<string, number>,
      version: 1,
    };
    const after = { ...before, body: 'b', at: new Date(1), tags: ['x', 'y'], moderation: { m1: 0, m2: 0 }, version: 2 };
    expect(updateOf(before, after)).toEqual({ $set: { body: 'b', tags: ['x', 'y'], 'moderation.m2': 0, version: 2 } });
  });

  it('unsets the keys a map lost, and sets a map emptied whole', () => {
    const before = { approved: { a: 1, b: 1 } as Record<string, 1>, count: 2 };
    expect(updateOf(before, { approved: { a: 1 }, count: 1 })).toEqual({
      $set: { count: 1 },
      $unset: { 'approved.b': '' },
    });
    expect(updateOf(before, { approved: {}, count: 0 })).toEqual({ $set: { approved: {}, count: 0 } });
  });
});
