/**
 * A fixed offset in [0, jitterSeconds × 1000) ms for a job, added to every due time of it so that
 * many jobs on the same schedule (`0 * * * *`) do not all start in the same millisecond. The same
 * key always gets the same offset, on every server and after every restart: FNV-1a (32-bit) over
 * the UTF-16 code units of `String(jobKey)`, then MurmurHash3's finaliser so that consecutive ids
 * (1, 2, 3, ...) spread over the whole range, then the remainder by the range. 0 when
 * `jitterSeconds` is 0; fractions of a second are allowed. Throws RangeError for a negative or
 * non-finite `jitterSeconds`, or one whose range exceeds 2^32 ms (~49 days).
 */
export function jitterMs(jobKey: string | number, jitterSeconds: number): number {
  if (!Number.isFinite(jitterSeconds) || jitterSeconds < 0) {
    throw new RangeError(`jitterMs: jitterSeconds (${jitterSeconds}) must be a finite number ≥ 0`);
  }
  const range = Math.floor(jitterSeconds * 1000);
  if (range > 2 ** 32) throw new RangeError(`jitterMs: jitterSeconds (${jitterSeconds}) is above 2^32 ms`);
  if (range === 0) return 0;
  const key = String(jobKey);
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % range;
}
