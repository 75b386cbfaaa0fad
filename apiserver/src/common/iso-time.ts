/** A stored instant as the REST API shows it: ISO-8601 UTC, or null where there is none. */
export function isoOrNull(d: Date | null | undefined): string | null {
  return d ? d.toISOString() : null;
}
