/** Seconds in each unit a duration may use, largest first. */
const UNIT_SECONDS = { w: 604_800, d: 86_400, h: 3600, m: 60, s: 1 } as const;
type Unit = keyof typeof UNIT_SECONDS;
const UNITS = Object.keys(UNIT_SECONDS) as Unit[];

/**
 * A duration as whole seconds: plain seconds (`90`), or numbers with units `w d h m s`, largest
 * first, each at most once (`90s`, `15m`, `2h`, `1d`, `1h30m`). Null for anything else, including
 * fractions, signs, spaces inside and an amount past Number.MAX_SAFE_INTEGER seconds.
 */
export function parseDurationSeconds(text: string): number | null {
  const v = text.trim();
  if (/^\d+$/.test(v)) return safe(Number(v));
  if (!/^(\d+[wdhms])+$/.test(v)) return null;
  let seconds = 0;
  let last = -1;
  for (const [, amount, unit] of v.matchAll(/(\d+)([wdhms])/g)) {
    const at = UNITS.indexOf(unit as Unit);
    if (at <= last) return null; // `30m1h`, `1h1h`: out of order or repeated
    last = at;
    seconds += Number(amount) * UNIT_SECONDS[unit as Unit];
  }
  return safe(seconds);
}

function safe(n: number): number | null {
  return Number.isSafeInteger(n) ? n : null;
}
