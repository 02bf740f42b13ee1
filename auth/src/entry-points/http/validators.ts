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

/** A password being chosen (at sign-up or by a reset link). */
function newPassword() {
  return body('password')
    .isString()
    .withMessage('Password is required')
    .bail()
    .isLength({ min: 8, max: 128 })
    .withMessage('Password must be 8 to 128 characters');
}

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
  newPassword(),
];

/** The password the account has now (signing in, or confirming a change). */
const currentPassword = () =>
  body('password').isString().withMessage('Password is required').bail().notEmpty().withMessage('Password is required');

export const signInRules: ValidationChain[] = [email(), currentPassword()];

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

export const completePasswordResetRules: ValidationChain[] = [token(), newPassword()];

export const changeEmailRules: ValidationChain[] = [email(), currentPassword()];
