import { body, type ValidationChain } from 'express-validator';
import { bodyProblem, normaliseTags, tagsProblem, titleProblem } from '../../domain/post-rules';

/** A custom check from a domain rule: the rule's message, or pass. */
const rule =
  <T>(problem: (value: T) => string | undefined) =>
  (value: T) => {
    const message = problem(value);
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

/** POST / {title, body, tags?}: tags default to none. */
export const createPostRules: ValidationChain[] = [title(), markdownBody(), tags().optional()];

/** PUT /:id {title?, body?, tags?}: only what is sent changes. */
export const updatePostRules: ValidationChain[] = [title().optional(), markdownBody().optional(), tags().optional()];
