// The load generator's process: drives one client against the server under
// test and asks the harness (its parent) for the other processes' figures.
import { createIpcPeer, type IpcPeer } from "./lib/ipc.ts";
import type { Harness, ServerStats } from "./lib/harness.ts";
import { capacity, runScenarios, startAndTokenCost, type ScenarioConfig } from "./scenarios.ts";
import { clients } from "./clients.ts";

const [client = "", baseUrl = ""] = process.argv.slice(2);
const open = clients[client]?.(baseUrl);
if (!open) throw new Error(`unknown client "${client}"; one of ${Object.keys(clients).join(", ")}`);
const parent: IpcPeer = createIpcPeer(process, {
  run: (config: ScenarioConfig) => runScenarios(harness, config),
  startAndTokenCost: ({ config, rounds }: { config: ScenarioConfig; rounds: number }) => startAndTokenCost(harness, config, rounds),
  capacity: ({ config, search }: { config: ScenarioConfig; search: Parameters<typeof capacity>[2] }) => capacity(harness, config, search),
});
const harness: Harness = { open, serverStats: (gc) => parent.call<ServerStats>("serverStats", gc), upstreamClosedAt: (tag) => parent.call("upstreamClosedAt", tag) };
await parent.call("ready", {});
