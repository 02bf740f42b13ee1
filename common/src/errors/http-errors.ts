/** One entry of the error body every service answers with: `{"errors": [{message, field?}]}`. */
export interface ErrorEntry {
  message: string;
  field?: string;
}

/**
 * An error the client caused or may see. Anything else that reaches the error
 * handler is a 500 whose message is logged, never sent.
 */
export abstract class HttpError extends Error {
  abstract readonly statusCode: number;

  serialize(): ErrorEntry[] {
    return [{ message: this.message }];
  }
}

/** An error about one input field, when there is one to name. */
abstract class FieldError extends HttpError {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
  override serialize(): ErrorEntry[] {
    return [this.field ? { message: this.message, field: this.field } : { message: this.message }];
  }
}

export class BadRequestError extends FieldError {
  readonly statusCode = 400;
}

/** 400 with one entry per offending field. */
export class ValidationError extends HttpError {
  readonly statusCode = 400;
  constructor(readonly entries: ErrorEntry[]) {
    super('Invalid request');
  }
  override serialize(): ErrorEntry[] {
    return this.entries;
  }
}

export class NotAuthorizedError extends HttpError {
  readonly statusCode = 401;
  constructor(message = 'Not signed in') {
    super(message);
  }
}

export class ForbiddenError extends HttpError {
  readonly statusCode = 403;
  constructor(message = 'Not allowed') {
    super(message);
  }
}

export class NotFoundError extends HttpError {
  readonly statusCode = 404;
  constructor(message = 'Not found') {
    super(message);
  }
}

/** 409: taken (email, username, slug) or stale (a version that moved on). */
export class ConflictError extends FieldError {
  readonly statusCode = 409;
}

export class PayloadTooLargeError extends HttpError {
  readonly statusCode = 413;
  constructor(message = 'Request body too large') {
    super(message);
  }
}

export class UnsupportedMediaTypeError extends HttpError {
  readonly statusCode = 415;
  constructor(message = 'Request body must be JSON (Content-Type: application/json)') {
    super(message);
  }
}

export class TooManyRequestsError extends HttpError {
  readonly statusCode = 429;
  constructor(message = 'Too many requests, try again later') {
    super(message);
  }
}

export class ServiceUnavailableError extends HttpError {
  readonly statusCode = 503;
  constructor(message = 'Service unavailable') {
    super(message);
  }
}
