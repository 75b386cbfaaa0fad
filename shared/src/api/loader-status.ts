import { z } from 'zod';

/** One job file as `GET /api/v1/loader` shows it. */
export const LoadedFileSchema = z.object({
  /** The file's name in `CRONFLEET_JOBS_DIR`, or the path of `CRONFLEET_CONFIG`. */
  file: z.string(),
  status: z.enum(['ok', 'error']),
  /** Why the file was refused, naming the file, the job and the field; null when ok. */
  error: z.string().nullable(),
  /** The jobs the file manages: those of its last good version (a bad version changes nothing). */
  jobs: z.array(z.string()),
  /** When the file was last read, ISO-8601. */
  checkedAt: z.string(),
});
export type LoadedFile = z.infer<typeof LoadedFileSchema>;

/** Body of `GET /api/v1/loader`: the job files this instance loads and their state. */
export const LoaderStatusSchema = z.object({
  /** `CRONFLEET_JOBS_DIR`, absolute; null when unset. */
  dir: z.string().nullable(),
  mode: z.enum(['watch', 'archive']),
  /** `CRONFLEET_CONFIG`, absolute; null when unset. */
  config: z.string().nullable(),
  files: z.array(LoadedFileSchema),
});
export type LoaderStatus = z.infer<typeof LoaderStatusSchema>;
