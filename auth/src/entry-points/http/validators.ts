import { body, type ValidationChain } from 'express-validator';
import { usernameMessage, usernamePattern } from '@postline/common/rules';

const email = () =>
  body('email')
    .isString()
    .withMessage('Email is required')
    .bail()
    .trim()
    .toLowerCase()
    .isLength({ max: 254 })
    .withMessage('Email is too long')
    .isEmail()
    .withMessage('Email must be a valid address');

export const signUpRules: ValidationChain[] = [
  email(),
  body('username')
    .isString()
    .withMessage('Username is required')
    .bail()
    .trim()
    .toLowerCase()
    .matches(usernamePattern)
    .withMessage(usernameMessage),
  body('password')
    .isString()
    .withMessage('Password is required')
    .bail()
    .isLength({ min: 8, max: 128 })
    .withMessage('Password must be 8 to 128 characters'),
];

export const signInRules: ValidationChain[] = [
  email(),
  body('password').isString().withMessage('Password is required').bail().notEmpty().withMessage('Password is required'),
];

const httpUrl = (value: string) => value === '' || /^https?:\/\/\S+$/.test(value);

export const updateProfileRules: ValidationChain[] = [
  body('bio')
    .optional()
    .isString()
    .withMessage('Bio must be text')
    .bail()
    .isLength({ max: 500 })
    .withMessage('Bio must be at most 500 characters'),
  body('image')
    .optional()
    .isString()
    .withMessage('Image must be a URL')
    .bail()
    .trim()
    .isLength({ max: 500 })
    .withMessage('Image URL must be at most 500 characters')
    .custom(httpUrl)
    .withMessage('Image must be an http(s) URL or empty'),
];
