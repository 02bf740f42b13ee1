import { isApproved, isPublic } from './visibility';

describe('visibility', () => {
  it('a post is public only while published and not deleted', () => {
    expect(isPublic({ published: true, deleted: false })).toBe(true);
    expect(isPublic({ published: false, deleted: false })).toBe(false);
    expect(isPublic({ published: true, deleted: true })).toBe(false);
  });

  it('a comment counts only while approved and not deleted', () => {
    expect(isApproved({ status: 'approved', deleted: false })).toBe(true);
    expect(isApproved({ status: 'pending', deleted: false })).toBe(false);
    expect(isApproved({ status: 'rejected', deleted: false })).toBe(false);
    expect(isApproved({ status: 'approved', deleted: true })).toBe(false);
    expect(isApproved(null)).toBe(false);
  });
});
