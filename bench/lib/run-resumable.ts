import { spawnSync } from "node:child_process";

/**
 * Runs `bench/resumable.ts` after the contenders, in a process of its own so
 * that `--expose-gc` serves its memory figures; `--only` selects it as `resumable`.
 */
export function runResumable({ quick, only }: { quick?: boolean; only?: string }): void {
  if (only && !only.split(",").includes("resumable")) return;
  const script = new URL("../resumable.ts", import.meta.url).pathname;
  spawnSync(process.execPath, ["--expose-gc", script, ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
}
