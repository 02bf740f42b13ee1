import type { RequestHandler } from 'express';
import { checkExact, validationResult, type ValidationChain } from 'express-validator';
import { ValidationError, type ErrorEntry } from '../errors';

/**
 * Runs express-validator chains, rejects fields nobody declared (so a typo or
 * an attempt to set `role` is an error, not silently ignored), and answers 400
 * with one entry per offending field.
 */
export function validateRequest(chains: ValidationChain[]): RequestHandler {
  const exact = checkExact(chains, { locations: ['body', 'query'] });
  return async (req, _res, next) => {
    for (const chain of chains) await chain.run(req);
    await exact.run(req);
    const entries: ErrorEntry[] = [];
    const seen = new Set<string>();
    for (const error of validationResult(req).array()) {
      if (error.type === 'field') {
        if (seen.has(error.path)) continue; // the first message per field is the useful one
        seen.add(error.path);
        entries.push({ message: String(error.msg), field: error.path });
      } else if (error.type === 'unknown_fields') {
        for (const field of error.fields) entries.push({ message: 'Unknown field', field: field.path });
      } else {
        entries.push({ message: String(error.msg) });
      }
    }
    if (entries.length > 0) throw new ValidationError(entries);
    next();
  };
}
