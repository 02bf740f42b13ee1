/**
 * The shapes of the HTTP API, from the one contract the services answer with
 * (`common/src/api/http-api.ts`), under the names the client's code uses.
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
  ErrorEntry as ApiError,
  LikeState,
  LiveEvents,
  ModerationPage,
  ModeratorDecision,
  Post,
  PostDetail,
  PostPage,
  PostStatus,
  PostSummary,
  ProfileView as ProfileSummary,
  QueueItem,
  Role,
  SearchPage,
  SearchResult,
  TagCount,
  TextPart,
  UserPostsPage,
  UserProfile as AuthProfile,
} from '@postline/common/api';
