/**
 * What a command may touch of the outside world, handed in by `main` so that commands never reach for
 * `process` themselves: the environment, the working directory, the two output streams, and the
 * shutdown signals. Tests can pass their own.
 */

/** The process-facing side of the CLI. */
export interface CliIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Writes to standard output (text is written as given; callers end lines themselves). */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard error is a terminal (progress lines redraw in place only there). */
  readonly errIsTTY?: boolean;
  /**
   * Runs `handler` once on the first SIGINT or SIGTERM; the process then exits 0 (or 1 if the handler
   * fails). Used by long-running commands to close what they opened.
   */
  onShutdown(handler: () => Promise<void>): void;
}

/** Prints a value as the `--json` flag promises: pretty JSON, 2-space indent, one trailing newline. */
export function printJson(io: CliIo, value: unknown): void {
  io.out(`${JSON.stringify(value, null, 2)}\n`);
}

/** The message of anything thrown, for `error: <message>` lines. */
export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
