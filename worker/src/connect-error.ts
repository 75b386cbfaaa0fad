/** What the worker may do about a certificate it does not trust, by OpenSSL/Node error code. */
const CERTIFICATE_PROBLEMS: Record<string, { what: string; fix: string }> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: { what: "the server's certificate is self-signed", fix: 'trust it with --ca <its PEM file> (or CRONFLEET_CA)' },
  SELF_SIGNED_CERT_IN_CHAIN: { what: "the server's certificate chain ends in a self-signed CA this worker does not trust", fix: "trust that CA with --ca <the CA's PEM file> (or CRONFLEET_CA)" },
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: { what: "the server's certificate is issued by a CA this worker does not know", fix: "trust that CA with --ca <the CA's PEM file> (or CRONFLEET_CA), or have the server send its whole chain" },
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: { what: "the server's certificate is issued by a CA this worker does not know", fix: "trust that CA with --ca <the CA's PEM file> (or CRONFLEET_CA)" },
  UNABLE_TO_GET_ISSUER_CERT: { what: "the issuer of the server's certificate is unknown", fix: "trust the issuing CA with --ca <its PEM file> (or CRONFLEET_CA)" },
  CERT_HAS_EXPIRED: { what: "the server's certificate has expired", fix: "renew the server's certificate (--tls-cert), and check this host's clock; --ca does not make an expired certificate valid" },
  CERT_NOT_YET_VALID: { what: "the server's certificate is not valid yet", fix: "check this host's clock against the server's; --ca does not help" },
  ERR_TLS_CERT_ALTNAME_INVALID: {
    what: "the server's certificate does not name the host in --server",
    fix: 'connect with a name the certificate holds (--server https://<that name>:<port>), or reissue the certificate for this name; --ca does not change the name check',
  },
};

/**
 * A socket.io `connect_error` as one line a person can act on. Over the websocket transport the
 * error says only `websocket error`; the reason is in `description` (the ws ErrorEvent, whose
 * `error` is Node's: `code` DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED,
 * ERR_TLS_CERT_ALTNAME_INVALID…) or, for polling, in `description` itself or `cause`.
 */
export function describeConnectError(err: Error): string {
  const cause = underlyingError(err);
  if (!cause) return err.message;
  const code = typeof cause.code === 'string' ? cause.code : undefined;
  const known = code ? CERTIFICATE_PROBLEMS[code] : undefined;
  const detail = `${cause.message ?? ''}${code && !(cause.message ?? '').includes(code) ? ` (${code})` : ''}`.trim();
  if (known) return `TLS: ${known.what}: ${detail}; ${known.fix}`;
  return detail ? `${err.message}: ${detail}` : err.message;
}

interface ErrorLike {
  code?: unknown;
  message?: string;
}

function underlyingError(err: Error): ErrorLike | null {
  const { description, cause } = err as Error & { description?: unknown; cause?: unknown };
  for (const candidate of [(description as { error?: unknown } | undefined)?.error, description, cause]) {
    if (candidate && typeof candidate === 'object' && ('code' in candidate || typeof (candidate as ErrorLike).message === 'string')) return candidate as ErrorLike;
  }
  return null;
}
