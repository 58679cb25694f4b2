import { spawnSync } from "node:child_process";

/**
 * Runs `bench/<name>.ts` after the contenders (`stream-cost`, `capacity`, `resumable`, `workers`), in a
 * process of its own, with `--expose-gc` for the memory figures; `--only`
 * selects it by its name.
 */
export function runSection(name: "resumable" | "workers" | "stream-cost" | "capacity", { quick, only }: { quick?: boolean; only?: string }): void {
  if (only && !only.split(",").includes(name)) return;
  const script = new URL(`../${name}.ts`, import.meta.url).pathname;
  spawnSync(process.execPath, ["--expose-gc", script, ...(quick ? ["--quick"] : [])], { stdio: "inherit" });
}
