import { basename, relative } from "node:path";

/** What a log line says of an error: its class, code, message and stack, with no absolute path. */
export interface ErrorFields {
  type: string;
  code?: string | number;
  message: string;
  stack?: string;
}

/**
 * An error as fields for one JSON log line. Stack frames keep their file and
 * line but not the machine's absolute paths, which say where and by whom the
 * code is installed: a file in the working directory is named relative to it,
 * a package's from `node_modules/`, anything else by its base name.
 */
export function errorFields(error: unknown): ErrorFields {
  if (!(error instanceof Error)) return { type: typeof error, message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    ...(typeof code === "string" || typeof code === "number" ? { code } : {}),
    message: error.message,
    ...(error.stack ? { stack: relativePaths(error.stack) } : {}),
  };
}

function relativePaths(stack: string): string {
  const cwd = process.cwd();
  return stack.replace(/(?<=^|[\s(])(?:file:\/\/)?(\/[^\s():]+)/gm, (_, path: string) => {
    const inPackage = path.lastIndexOf("/node_modules/");
    if (inPackage >= 0) return path.slice(inPackage + 1);
    return path.startsWith(`${cwd}/`) ? relative(cwd, path) : basename(path);
  });
}
