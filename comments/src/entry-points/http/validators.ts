import { body, type ValidationChain } from 'express-validator';
import { commentBodyLimits } from '../../domain/comment-rules';

const commentBody = () =>
  body('body')
    .isString()
    .withMessage('Body is required')
    .bail()
    .trim()
    .isLength(commentBodyLimits)
    .withMessage(`Body must be ${commentBodyLimits.min} to ${commentBodyLimits.max} characters`);

export const createCommentRules: ValidationChain[] = [
  body('postId')
    .isString()
    .withMessage('Post id is required')
    .bail()
    .trim()
    .isLength({ min: 1, max: 64 })
    .withMessage('Post id must be 1 to 64 characters'),
  commentBody(),
];

export const editCommentRules: ValidationChain[] = [commentBody()];
