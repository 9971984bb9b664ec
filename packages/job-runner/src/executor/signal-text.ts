// Go prints a signal as its description ("terminated", "killed").
const SIGNAL_TEXT: Readonly<Record<string, string>> = {
  SIGTERM: "terminated",
  SIGKILL: "killed",
  SIGINT: "interrupt",
  SIGQUIT: "quit",
  SIGHUP: "hangup",
  SIGABRT: "aborted",
  SIGSEGV: "segmentation fault",
  SIGPIPE: "broken pipe",
  SIGUSR1: "user defined signal 1",
  SIGUSR2: "user defined signal 2",
};

/** A signal name (`SIGTERM`) as Go prints it in an exit error (`terminated`). */
export function signalText(signal: string): string {
  return SIGNAL_TEXT[signal] ?? signal;
}
