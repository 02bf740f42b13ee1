import { body, type ValidationChain } from 'express-validator';
import { normaliseTags, tagsProblem } from '@postline/common/rules';
import { bodyProblem, publishAtProblem, titleProblem } from '../../domain/post-rules';

/** A custom check from a domain rule: the rule's message, or pass. */
const rule =
  <T, A extends unknown[] = []>(problem: (value: T, ...rest: A) => string | undefined) =>
  (value: T, ...rest: A) => {
    const message = problem(value, ...rest);
    if (message) throw new Error(message);
    return true;
  };

const title = () => body('title').isString().withMessage('Title is required').bail().trim().custom(rule(titleProblem));

const markdownBody = () => body('body').isString().withMessage('Body is required').bail().custom(rule(bodyProblem));

const tags = () =>
  body('tags')
    .custom(rule(tagsProblem))
    .bail()
    .customSanitizer((value: string[]) => normaliseTags(value));

const status = () => body('status').isIn(['draft', 'published']).withMessage("Status must be 'draft' or 'published'");

const publishAt = () => body('publishAt').custom((value: unknown) => rule(publishAtProblem)(value, new Date()));

/** A time to publish goes with a draft only: "published, but later" is a contradiction. */
const publishAtNeedsDraft = () =>
  body('status').custom((value: unknown, { req }) => {
    if (value === 'published' && req.body?.publishAt !== undefined) {
      throw new Error("A post with publishAt is a scheduled draft; leave status out or send 'draft'");
    }
    return true;
  });

/** POST / {title, body, tags?, status?, publishAt?}: tags default to none; no status publishes at once. */
export const createPostRules: ValidationChain[] = [
  title(),
  markdownBody(),
  tags().optional(),
  status().optional(),
  publishAtNeedsDraft(),
  publishAt().optional(),
];

/** POST /:id/schedule {publishAt}. */
export const schedulePostRules: ValidationChain[] = [publishAt()];

/** PUT /:id {title?, body?, tags?}: only what is sent changes. */
export const updatePostRules: ValidationChain[] = [title().optional(), markdownBody().optional(), tags().optional()];
