import { readFileSync } from "node:fs";
import { ConfigError } from "./config-error.ts";

/** Options of {@link readSettingFile}. */
export interface SettingFile {
  /** The variable that names the file. */
  setting: string;
  path: string;
  /** What the file should be, for the message: `a PEM file`. */
  kind: string;
}

/** The bytes of the file a setting names, or a {@link ConfigError} that says why it cannot be read and what to set. */
export function readSettingFile({ setting, path, kind }: SettingFile): Buffer {
  try {
    return readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const why = code === "ENOENT" ? "no such file" : code === "EACCES" ? "permission denied" : code === "EISDIR" ? "a directory" : String(code);
    throw new ConfigError(`${setting}=${path} cannot be read (${why}): set it to ${kind} this user can read`, { cause });
  }
}
