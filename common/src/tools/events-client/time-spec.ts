const units: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * A point in time given as a duration back from now (`90s`, `15m`, `2h`,
 * `1d`) or as an ISO date/time (`2025-06-01`, `2025-06-01T12:00:00Z`).
 */
export function parseTimeSpec(spec: string, now = new Date()): Date {
  const duration = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/.exec(spec.trim());
  if (duration) return new Date(now.getTime() - Number(duration[1]) * units[duration[2]!]!);
  const time = Date.parse(spec);
  if (Number.isNaN(time)) {
    throw new Error(`"${spec}" is neither a duration (30s, 15m, 2h, 1d) nor an ISO date/time`);
  }
  return new Date(time);
}
