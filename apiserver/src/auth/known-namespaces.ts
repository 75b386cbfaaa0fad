/**
 * Whether a namespace exists, for a token scoped to one: NamespacesModule provides it (with
 * NamespacesService), since namespaces/ sits above auth/ (its controllers scope by the caller's token).
 */
export abstract class KnownNamespaces {
  /** Refuses (404 `NamespaceNotFound`, naming `field`) a namespace that does not exist. */
  abstract assertExists(name: string, field?: string): Promise<void>;
}
