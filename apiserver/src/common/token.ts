import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time comparison of two secrets of any length. */
export function tokensEqual(given: string, expected: string): boolean {
  return matchesDigest(digestOf(given), digestOf(expected));
}

/** A secret's SHA-256: what {@link matchesDigest} compares, so a fixed secret is hashed once, not per request. */
export function digestOf(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

/** Constant-time comparison of two digests of {@link digestOf}. */
export function matchesDigest(given: Buffer, expected: Buffer): boolean {
  return given.length === expected.length && timingSafeEqual(given, expected);
}
