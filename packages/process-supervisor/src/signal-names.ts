import os from "node:os";

const numbers: Readonly<Record<string, number>> = os.constants.signals;

/** True when `name` is a signal this platform knows, like `"SIGTERM"`. */
export function isSignalName(name: unknown): name is NodeJS.Signals {
  return typeof name === "string" && Object.hasOwn(numbers, name);
}

/**
 * The name of signal `signo` (`15` → `"SIGTERM"`), as the agent reports it.
 * node-pty gives signal numbers; child_process gives names. Unknown numbers
 * (real-time signals) become `"SIG<n>"` rather than being dropped.
 */
export function signalName(signo: number): string {
  for (const [name, value] of Object.entries(numbers)) {
    // SIGIOT and SIGPOLL alias SIGABRT and SIGIO; prefer the names Go prints.
    if (value === signo && name !== "SIGIOT" && name !== "SIGPOLL") return name;
  }
  return `SIG${signo}`;
}
