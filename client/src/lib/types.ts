/**
 * The shapes of the HTTP API, from the one contract the services answer with
 * (`common/src/api/http-api.ts`), under the API's own names: a grep for a name finds one thing.
 */
export type {
  Comment,
  CommentStatus,
  CommentView,
  CurrentUser,
  DecisionItem,
  DraftDetail,
  DraftPage,
  DraftSummary,
  ErrorEntry,
  LikeState,
  LiveEvents,
  ModerationPage,
  ModeratorDecision,
  Post,
  PostDetail,
  PostPage,
  PostStatus,
  PostSummary,
  ProfileView,
  QueueItem,
  Role,
  SearchPage,
  SearchResult,
  TagCount,
  TextPart,
  UserPostsPage,
  UserProfile,
} from '@postline/common/api';
