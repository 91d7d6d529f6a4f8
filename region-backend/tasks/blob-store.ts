/**
 * Audio awaiting work, by blob id. The filesystem store is the embedded default, Redis shares
 * blobs between the replicas of a region; an S3-compatible bucket is the production choice for
 * large files (docs/async.md). A blob is deleted when its task ends.
 */
export interface BlobStore {
  readonly kind: string;
  put(id: string, bytes: Uint8Array): Promise<void>;
  /** null when the blob is gone (deleted, expired). */
  get(id: string): Promise<Uint8Array | null>;
  delete(id: string): Promise<void>;
}
