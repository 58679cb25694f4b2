import { afterEach, beforeEach } from "vitest";

/** Listens for the warnings the process emits during each test of the file; returns the names of the current test's. */
export function useProcessWarnings(): () => string[] {
  let warnings: Error[] = [];
  const onWarning = (warning: Error) => void warnings.push(warning);
  beforeEach(() => {
    warnings = [];
    process.on("warning", onWarning);
  });
  afterEach(() => void process.off("warning", onWarning));
  return () => warnings.map((warning) => warning.name);
}
