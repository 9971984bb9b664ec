import type { Readable } from "node:stream";

/** How the leader process ended, as the OS reported it. */
export interface RawExit {
  /** Exit code when it exited; null when killed by a signal. */
  readonly code: number | null;
  /** Terminating signal's name when killed by one; null otherwise. */
  readonly signal: string | null;
}

/** A started child, whichever way it was started (PTY or pipes). */
export interface Child {
  readonly pid: number;
  /** The PTY master or the read end of the pipe; destroying it closes the fd. */
  readonly source: Readable;
  /** True for errors that only mean "no more output" (EIO on a PTY whose slave closed). */
  isEndOfOutput(error: Error): boolean;
  /**
   * Reads, synchronously, output still pending when the source reports its end
   * (PTY only; see pty-child.ts). Called from the source's "end" listener, while
   * its fd is still open.
   */
  readRemaining?(): Buffer[];
  /** Settles when the leader has exited and been reaped; never rejects. */
  readonly exit: Promise<RawExit>;
}
