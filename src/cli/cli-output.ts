/** Where the CLI writes: the answer to stdout, what goes with it (reasoning, tool calls, notes, errors) to stderr. */
export interface CliOutput {
  stdout(text: string): void;
  stderr(text: string): void;
  /** An aside's styling: dimmed on a terminal, the text as it is anywhere else. */
  dim(text: string): string;
}

/**
 * The process's stdout and stderr. Asides are dimmed only when stderr is a
 * terminal (and `NO_COLOR` is unset), so a file or a pipe never gets escape codes.
 */
export function processOutput(env: Record<string, string | undefined> = process.env): CliOutput {
  const styled = Boolean(process.stderr.isTTY) && !env.NO_COLOR;
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    // 22 ends the dim (faint) intensity alone, leaving any other style of the terminal as it was.
    dim: (text) => (styled && text ? `\x1b[2m${text}\x1b[22m` : text),
  };
}
