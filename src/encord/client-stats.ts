/** Request/retry counters, for the run summary (kept by the requester, read through `MetadataStore.stats`). */
export interface ClientStats {
  requests: number;
  retries: number;
  rateLimited: number;
}
