'use client';

import { useState } from 'react';
import { canDeleteComment, canEditComment } from '@postline/common/rules';
import { CommentRevs, shownComments } from '@/lib/comment-list';
import { useCurrentUser } from '@/lib/current-user';
import type { Comment, CommentView } from '@/lib/types';
import { useLive } from '../LivePost';
import { CommentItem } from './CommentItem';
import { DeleteCommentButton } from './DeleteComment';
import { EditComment, EditCommentButton } from './EditComment';
import { NewComment } from './NewComment';

/**
 * The comments of a post, live (see LivePost). A new or edited comment shows at once as the
 * comments service answered it (pending); its author then sees it turn approved or rejected (with
 * the reason) the moment the query service applies the decision, and every reader sees approved
 * comments arrive, edits and deletions, without a reload. Each comment keeps the newest change by
 * `rev`, whatever order repeats and resumed streams arrive in (`lib/comment-list.ts`). Who may edit or delete comes from
 * `@postline/common/rules`, the rules the comments service enforces.
 */
export function Comments({
  postId,
  postAuthorId,
  initial,
}: {
  postId: string;
  postAuthorId: string;
  /** The approved comments, as every reader sees them; the reader's own held ones come with LivePost's snapshot. */
  initial: CommentView[];
}) {
  const user = useCurrentUser();
  const [serverComments, setServerComments] = useState(initial);
  // Written or edited here but not yet in the read model (events take a moment to arrive).
  const [ownWrites, setOwnWrites] = useState<CommentView[]>([]);
  const [deleted, setDeleted] = useState<Set<string>>(new Set());
  const [editing, setEditing] = useState<string>();
  const [revs] = useState(() => new CommentRevs());

  const comments = shownComments(serverComments, ownWrites, deleted);

  useLive((message) => {
    if (message.type === 'snapshot') {
      setServerComments(message.post.comments);
      revs.clear();
    } else if (message.type === 'comment') {
      const { comment, rev } = message.data;
      if (comment.postId !== postId || !revs.accepts(comment.id, rev, 'comment')) return;
      setServerComments((list) => {
        const shown = list.find((c) => c.id === comment.id);
        // The post's channel sends no reason; the author's own channel does, for the same change.
        const next =
          shown && shown.status === comment.status && !comment.reason ? { ...comment, reason: shown.reason } : comment;
        return shown ? list.map((c) => (c.id === comment.id ? next : c)) : [...list, next];
      });
    } else if (message.type === 'comment-removed') {
      const { id, rev } = message.data;
      if (message.data.postId !== postId || !revs.accepts(id, rev, 'removal')) return;
      setServerComments((list) => list.filter((c) => c.id !== id));
      setOwnWrites((list) => list.filter((c) => c.id !== id));
    }
  });

  function written(comment: Comment) {
    const view = toView(comment);
    setOwnWrites((list) => [...list.filter((c) => c.id !== view.id), view]);
  }

  const visibleCount = comments.filter((c) => c.status === 'approved').length;

  return (
    <section className="comments" aria-labelledby="comments-heading">
      <h2 id="comments-heading">
        Comments <span className="muted">({visibleCount})</span>
      </h2>
      {comments.length === 0 ? <p className="muted">No comments yet. Start the conversation.</p> : null}
      <ol className="comment-list" aria-live="polite">
        {comments.map((comment) => {
          const owner = { authorId: comment.author.id };
          const mayEdit = !!user && canEditComment(user, owner);
          const mayDelete = !!user && canDeleteComment(user, owner, postAuthorId);
          return (
            <CommentItem
              key={comment.id}
              comment={comment}
              isMine={user?.id === comment.author.id}
              tools={
                mayEdit || mayDelete ? (
                  <>
                    {mayEdit && editing !== comment.id ? (
                      <EditCommentButton comment={comment} onClick={() => setEditing(comment.id)} />
                    ) : null}
                    {mayDelete ? (
                      <DeleteCommentButton
                        comment={comment}
                        onDeleted={() => setDeleted((set) => new Set(set).add(comment.id))}
                      />
                    ) : null}
                  </>
                ) : undefined
              }
              editor={
                mayEdit && editing === comment.id ? (
                  <EditComment
                    comment={comment}
                    onCancel={() => setEditing(undefined)}
                    onSaved={(saved) => {
                      setEditing(undefined);
                      written(saved);
                    }}
                  />
                ) : undefined
              }
            />
          );
        })}
      </ol>
      {user === undefined ? null : <NewComment postId={postId} signedIn={!!user} onAdded={written} />}
    </section>
  );
}

/** The comments service's answer as the query service lists comments. */
function toView({ authorId, authorUsername, version: _version, ...comment }: Comment): CommentView {
  return { ...comment, author: { id: authorId, username: authorUsername } };
}
