import { body, type ValidationChain } from 'express-validator';
import { usernameMessage, usernamePattern } from '@postline/common/rules';
import { maxPasswordLength } from '../../domain/password';

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

/** A password being chosen: 8 to 128 characters. */
const newPassword = (field: string) =>
  body(field)
    .isString()
    .withMessage('Password is required')
    .bail()
    .isLength({ min: 8, max: maxPasswordLength })
    .withMessage(`Password must be 8 to ${maxPasswordLength} characters`);

/** A password typed to prove who one is: no longer than any password can be, so nobody makes us hash megabytes. */
const typedPassword = (field: string) =>
  body(field)
    .isString()
    .withMessage('Password is required')
    .bail()
    .notEmpty()
    .withMessage('Password is required')
    .isLength({ max: maxPasswordLength })
    .withMessage(`Password must be at most ${maxPasswordLength} characters`);

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
  newPassword('password'),
];

export const signInRules: ValidationChain[] = [email(), typedPassword('password')];

export const changePasswordRules: ValidationChain[] = [typedPassword('currentPassword'), newPassword('newPassword')];

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

/** A token from an emailed link: 32 random bytes, base64url. */
const token = () =>
  body('token')
    .isString()
    .withMessage('Token is required')
    .bail()
    .matches(/^[A-Za-z0-9_-]{43}$/)
    .withMessage('This link is invalid or has expired');

export const verifyEmailRules: ValidationChain[] = [token()];

export const passwordResetRules: ValidationChain[] = [email()];

export const completePasswordResetRules: ValidationChain[] = [token(), newPassword('password')];

export const changeEmailRules: ValidationChain[] = [email(), typedPassword('password')];
