import { readFileSync } from "node:fs";
import { spawnSync } from "node:child_process";

// The kernel counts CPU time in clock ticks, most often 100 a second.
const ticksPerSecond = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout) || 100;

/**
 * User plus system CPU time of processes, by pid, in µs, from `/proc/<pid>/stat`:
 * how a bench reads the CPU of processes it did not start itself (a cluster's workers).
 */
export function processesCpuUs(pids: readonly number[]): number {
  let ticks = 0;
  for (const pid of pids) {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the command's closing parenthesis, from the third: utime and stime are the 14th and 15th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / ticksPerSecond) * 1e6;
}

/** The machine's idle and total CPU time so far, in clock ticks over all cores, from the first line of `/proc/stat`. */
export function machineTicks(): { idle: number; total: number } {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n", 1)[0]!.trim().split(/\s+/).map(Number);
  // user nice system idle iowait irq softirq steal: guest time is counted in user already.
  const counted = ticks.slice(0, 8);
  return { idle: counted[3]! + counted[4]!, total: counted.reduce((sum, n) => sum + n, 0) };
}
