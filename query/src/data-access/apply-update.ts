import type { mongo } from 'mongoose';

type Doc = Record<string, unknown>;

/**
 * Applies a MongoDB update document to a plain object in memory, the way the
 * database would: the batched replay folds many events into one document this
 * way and writes it once, with the very update documents the live handlers
 * send. Only what the handlers use: $set and $unset (top level or one level
 * down, e.g. `moderation.<key>`), $inc, and $addToSet / $pull of a single
 * primitive value.
 */
export function applyUpdate<T extends object>(doc: T, update: mongo.UpdateFilter<T>): T {
  const out = structuredClone(doc) as Doc;
  for (const [operator, fields] of Object.entries(update as Record<string, Doc>)) {
    for (const [path, value] of Object.entries(fields)) {
      const [parent, key] = locate(out, path);
      switch (operator) {
        case '$set':
          parent[key] = structuredClone(value);
          break;
        case '$unset':
          delete parent[key];
          break;
        case '$inc':
          parent[key] = ((parent[key] as number | undefined) ?? 0) + (value as number);
          break;
        case '$addToSet': {
          const list = (parent[key] as unknown[] | undefined) ?? [];
          parent[key] = list.includes(value) ? list : [...list, value];
          break;
        }
        case '$pull':
          parent[key] = ((parent[key] as unknown[] | undefined) ?? []).filter((v) => v !== value);
          break;
        default:
          throw new Error(`applyUpdate: ${operator} is not supported`);
      }
    }
  }
  return out as T;
}

function locate(doc: Doc, path: string): [Doc, string] {
  const dot = path.indexOf('.');
  if (dot === -1) return [doc, path];
  const head = path.slice(0, dot);
  const rest = path.slice(dot + 1);
  if (rest.includes('.')) throw new Error(`applyUpdate: ${path} is nested too deep`);
  const child = (doc[head] ??= {}) as Doc;
  return [child, rest];
}
