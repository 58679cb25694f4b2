/** The logging the core needs: a subset of pino's API, so a pino logger fits as is. */
export interface Logger {
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** A logger that drops everything: the default for embedders who pass none. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
