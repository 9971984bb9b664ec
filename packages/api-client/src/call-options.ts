/** Options every call takes. */
export interface CallOptions {
  /**
   * Cancels the call: an in-flight request is aborted and a retry sleep ends at
   * once, with no further request; the call rejects with `API_ABORTED`.
   */
  readonly signal?: AbortSignal;
}
