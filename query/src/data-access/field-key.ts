/** Mongo field names may not contain dots or start with `$`: ids used as keys of a stored map pass through this. */
export function fieldKey(value: string): string {
  return value.replace(/[.$]/g, '_');
}
