import { answerOf, renderFor, type CommentPart, type Viewer } from './answer-template';

const comment = (authorId: string, approved: boolean, reason = ''): CommentPart => ({
  authorId,
  approved,
  reason,
  json: JSON.stringify({ by: authorId, approved, reason: '' }),
  ownJson: JSON.stringify({ by: authorId, approved, reason }),
});

const viewer = (id: string, following: string[] = [], moderator = false): Viewer => ({
  id,
  moderator,
  following: new Set(following),
});

const answer = answerOf(
  [
    '{"liked":',
    { likers: new Set(['fan']) },
    ',"following":',
    { follows: 'author' },
    ',"comments":[',
    { comments: [comment('other', true), comment('ann', false, 'spam'), comment('bob', true, 'fine')] },
    ']}',
  ],
  ['post:1'],
);
const parse = (body: Buffer) =>
  JSON.parse(body.toString()) as { liked: boolean; following: boolean; comments: unknown[] };

describe('answer templates', () => {
  it('render the public answer once: no personal flags, approved comments without reasons', () => {
    expect(parse(answer.body)).toEqual({
      liked: false,
      following: false,
      comments: [
        { by: 'other', approved: true, reason: '' },
        { by: 'bob', approved: true, reason: '' },
      ],
    });
    expect(renderFor(answer, undefined)).toEqual({ body: answer.body, etag: answer.etag });
  });

  it('give a reader no slot concerns the shared bytes and ETag', () => {
    expect(renderFor(answer, viewer('stranger', ['someone']))).toEqual({ body: answer.body, etag: answer.etag });
  });

  it("overlay a reader's own flags and comments, with their reasons, and nobody else's", () => {
    const asFan = renderFor(answer, viewer('fan', ['author']));
    expect(parse(asFan.body)).toMatchObject({ liked: true, following: true });
    expect(asFan.etag).not.toBe(answer.etag);
    expect(parse(renderFor(answer, viewer('ann')).body).comments).toEqual([
      { by: 'other', approved: true, reason: '' },
      { by: 'ann', approved: false, reason: 'spam' },
      { by: 'bob', approved: true, reason: '' },
    ]);
    expect(parse(renderFor(answer, viewer('bob')).body).comments).toContainEqual({
      by: 'bob',
      approved: true,
      reason: 'fine',
    });
    expect(parse(renderFor(answer, viewer('mod', [], true)).body).comments).toHaveLength(3);
  });
});
