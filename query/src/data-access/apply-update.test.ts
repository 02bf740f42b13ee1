import { applyUpdate } from './apply-update';

describe('applyUpdate', () => {
  it('applies the operators the handlers use, as MongoDB would, without touching the original', () => {
    const doc = { _id: 'x', list: ['a'], count: 1, nested: { keep: 1 } as Record<string, number>, gone: true };
    const out = applyUpdate(doc, {
      $set: { 'nested.added': 2 },
      $unset: { gone: '' },
      $addToSet: { list: 'b' },
      $inc: { count: 1 },
    });
    expect(out).toEqual({ _id: 'x', list: ['a', 'b'], count: 2, nested: { keep: 1, added: 2 } });
    expect(applyUpdate(out, { $addToSet: { list: 'a' }, $pull: { list: 'b' } }).list).toEqual(['a']);
    expect(doc).toEqual({ _id: 'x', list: ['a'], count: 1, nested: { keep: 1 }, gone: true });
    expect(() => applyUpdate(doc, { $push: { list: 'c' } } as never)).toThrow(/not supported/);
  });
});
