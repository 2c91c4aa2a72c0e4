// The benches' CPU meter: a process tree's user + system time from /proc (Linux), in clock ticks.
import { execFileSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";

/** Clock ticks a second (`getconf CLK_TCK`; 100 on Linux where getconf is missing). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** `pid` and every process under it. */
export function descendants(pid) {
  const all = readdirSync("/proc").filter((d) => /^\d+$/.test(d));
  const parent = new Map();
  for (const d of all) {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, "utf8");
      parent.set(Number(d), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch { /* gone */ }
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of parent) if (p === out[i]) out.push(c);
  return out;
}

/** The CPU time the processes have used so far, in clock ticks. */
export function cpuTicks(pids) {
  let t = 0;
  for (const pid of pids) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
      t += Number(f[11]) + Number(f[12]); // utime + stime
    } catch { /* gone */ }
  }
  return t;
}
