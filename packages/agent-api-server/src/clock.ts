/**
 * Where the server reads the time. Agent-lost detection, pause timeouts, OIDC
 * `iat`/`exp` and every timestamp the server writes use it, so a test can move
 * time forward instead of waiting three minutes.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() };
