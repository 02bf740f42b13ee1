import { isDeepStrictEqual } from 'node:util';
import type { mongo } from 'mongoose';

const isMap = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);

/**
 * The update that turns the stored `before` into `after`: `$set` of the fields that differ, and of
 * a map's (e.g. `moderation`) changed keys one by one, `$unset` of its removed keys, so a write
 * touches only what the change changed and leaves what other writers keep alone.
 */
export function updateOf<T extends object>(before: T, after: T): mongo.UpdateFilter<T> {
  const $set: Record<string, unknown> = {};
  const $unset: Record<string, ''> = {};
  const [was, is] = [before as Record<string, unknown>, after as Record<string, unknown>];
  for (const [field, value] of Object.entries(is)) {
    const old = was[field];
    if (isDeepStrictEqual(old, value)) continue;
    if (isMap(old) && isMap(value) && Object.keys(value).length > 0) {
      for (const [key, v] of Object.entries(value)) if (!isDeepStrictEqual(old[key], v)) $set[`${field}.${key}`] = v;
      for (const key of Object.keys(old)) if (!(key in value)) $unset[`${field}.${key}`] = '';
    } else {
      $set[field] = value;
    }
  }
  return { $set, ...(Object.keys($unset).length ? { $unset } : {}) } as mongo.UpdateFilter<T>;
}
