import { body, query, type ValidationChain } from 'express-validator';

export const queueRules: ValidationChain[] = [
  query('limit')
    .optional()
    .isInt({ min: 1, max: 100 })
    .withMessage('Limit must be a whole number from 1 to 100')
    .bail()
    .toInt(),
  query('page')
    .optional()
    .isInt({ min: 1, max: 10_000 })
    .withMessage('Page must be a whole number from 1')
    .bail()
    .toInt(),
];

export const decisionsRules: ValidationChain[] = [
  ...queueRules,
  query('decidedBy').optional().isIn(['rules', 'moderator']).withMessage('decidedBy must be "rules" or "moderator"'),
  query('status').optional().isIn(['approved', 'rejected']).withMessage('Status must be "approved" or "rejected"'),
];

export const decisionRules: ValidationChain[] = [
  body('status').isIn(['approved', 'rejected']).withMessage('Status must be "approved" or "rejected"'),
  body('reason')
    .isString()
    .withMessage('Reason is required')
    .bail()
    .trim()
    .isLength({ min: 1, max: 500 })
    .withMessage('Reason must be 1 to 500 characters'),
  body('commentVersion')
    .optional()
    .custom((value) => Number.isSafeInteger(value) && value >= 0)
    .withMessage('Comment version must be a whole number, 0 or more'),
];
