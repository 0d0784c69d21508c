/** Resource limits for untrusted model files; `loadModel(src, { limits })` raises them. */
export interface Limits {
  /** Largest tensor a layer may produce, in float32 elements per sample (default 2^26 = 256 MiB). */
  maxTensorElements: number;
  /** Largest uncompressed member of a `.keras` zip, in bytes (default 2^30 = 1 GiB). */
  maxZipEntryBytes: number;
  /**
   * Largest declared inflation ratio of a `.keras` zip member (default 1100). Deflate cannot exceed
   * about 1032:1, so a larger declared size is a forged header; stored members must not grow at all.
   */
  maxZipRatio: number;
}

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxTensorElements: 2 ** 26,
  maxZipEntryBytes: 2 ** 30,
  maxZipRatio: 1100,
});

export const withDefaults = (limits: Partial<Limits> | undefined): Limits => ({ ...DEFAULT_LIMITS, ...limits });
