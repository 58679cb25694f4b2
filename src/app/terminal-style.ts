const codes = { bold: [1, 22], dim: [2, 22], yellow: [33, 39], red: [31, 39] } as const;

/** A style a terminal shows: the text between its escape codes. */
export type Style = (text: string) => string;

/**
 * The styles of `npm start`'s terminal output. Each ends only what it began
 * (22 the intensity, 39 the colour), so styles nest; with `color` false, or
 * for empty text, the text comes back as it is.
 */
export function terminalStyle(color: boolean): Record<keyof typeof codes, Style> {
  const style = ([on, off]: readonly [number, number]): Style => (text) => (color && text ? `\x1b[${on}m${text}\x1b[${off}m` : text);
  return { bold: style(codes.bold), dim: style(codes.dim), yellow: style(codes.yellow), red: style(codes.red) };
}
