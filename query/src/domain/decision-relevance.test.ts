import { decisionRelevance } from './decision-relevance';

describe('whether a moderation decision applies to the read model’s comment', () => {
  // text written at version 2, then a status-only change raised the comment to 3
  const comment = { version: 3, bodyVersion: 2 };

  it('applies to the text we hold, also after a status-only version', () => {
    expect(decisionRelevance(comment, 2)).toBe('apply');
    expect(decisionRelevance(comment, 3)).toBe('apply');
  });

  it('is stale about older text and waits for a version not seen yet', () => {
    expect(decisionRelevance(comment, 1)).toBe('stale');
    expect(decisionRelevance(comment, 4)).toBe('wait');
  });
});
