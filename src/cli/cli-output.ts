/** Where the CLI writes: the answer to stdout, what goes with it (reasoning, tool calls, notes, errors) to stderr. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** An aside's styling: dimmed on a terminal, the text as it is anywhere else. */
  dim(text: string): string;
  /** Aborted once stdout's reader has gone (`| head -1` has read its line): nothing more is wanted. */
  closed: AbortSignal;
}

/**
 * The process's stdout and stderr. Asides are dimmed only when stderr is a
 * terminal (and `NO_COLOR` is unset), so a file or a pipe never gets escape
 * codes. A pipe closed under either (EPIPE) is a reader that has had enough,
 * as for any command line tool, not a failure: writing there stops, and for
 * stdout `closed` is aborted so that the call stops too.
 */
export function processOutput(env: Record<string, string | undefined> = process.env): CliOutput {
  const styled = Boolean(process.stderr.isTTY) && !env.NO_COLOR;
  const closed = new AbortController();
  const stderrClosed = new AbortController();
  whenPipeCloses(process.stdout, closed);
  whenPipeCloses(process.stderr, stderrClosed);
  return {
    stdout: (text) => void (closed.signal.aborted || process.stdout.write(text)),
    stderr: (text) => void (stderrClosed.signal.aborted || process.stderr.write(text)),
    // 22 ends the dim (faint) intensity alone, leaving any other style of the terminal as it was.
    dim: (text) => (styled && text ? `\x1b[2m${text}\x1b[22m` : text),
    closed: closed.signal,
  };
}

// Any other error of the stream is thrown as it would be with no listener.
function whenPipeCloses(stream: NodeJS.WriteStream, closed: AbortController): void {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed.abort(error);
  });
}
