import { ApiClient, type ApiClientOptions, type Logger, type RegisterRequest } from "../src/index.js";
import { startServer, type RecordingServer, type Reply, type RecordedRequest } from "./recording-server.js";

/** The agent token the tests use; searched for in logs and errors. */
export const TOKEN = "bkaa_test_token_7f3c9e2d1a";

/** A log line as the capturing logger saw it. */
export interface LogLine {
  readonly level: "debug" | "info" | "warn" | "error";
  readonly message: string;
  readonly fields: unknown;
}

/** A client wired to a recording server, recording its sleeps and log lines. */
export interface Harness {
  readonly server: RecordingServer;
  readonly client: ApiClient;
  /** Every retry sleep, in ms. */
  readonly sleeps: number[];
  readonly logs: LogLine[];
}

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Registers a teardown that runs after the current test. */
export function onCleanup(fn: () => Promise<void> | void): void {
  cleanups.push(fn);
}

/** A capturing logger. */
export function captureLogger(logs: LogLine[]): Logger {
  const at = (level: LogLine["level"]) => (message: string, fields?: unknown) => logs.push({ level, message, fields });
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/**
 * Starts a server answering from `script` and a client for it (token {@link TOKEN},
 * jitter fixed by `random` 0.5 unless given, sleeps recorded and instant).
 */
export async function harness(
  script: readonly Reply[] | ((request: RecordedRequest, index: number) => Reply),
  options: ApiClientOptions = {},
): Promise<Harness> {
  const server = await startServer(script);
  onCleanup(() => server.close());
  const sleeps: number[] = [];
  const logs: LogLine[] = [];
  const client = new ApiClient({
    endpoint: server.endpoint,
    token: TOKEN,
    version: "3.137.0",
    build: "42",
    logger: captureLogger(logs),
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    ...options,
  });
  onCleanup(() => client.close());
  return { server, client, sleeps, logs };
}

/** The rejection of `promise` (fails the test if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}

/** A job the agent can run. */
export const JOB = { id: "job-1", chunks_max_size_bytes: 102400 };

/** A plain registration request: every field the agent sends, nothing special. */
export const REGISTRATION: RegisterRequest = {
  name: "n",
  hostname: "h",
  os: "o",
  arch: "amd64",
  scriptEvalEnabled: true,
  ignoreInDispatches: false,
  version: "3.137.0",
  build: "1",
  tags: [],
  features: [],
};
