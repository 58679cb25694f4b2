// Bench-only entry of the process under test: starts one contender's server
// and answers the harness's calls for this process's own CPU and memory. The
// floors have no server: they run the scenarios here, in process.
import { createIpcPeer, type IpcPeer } from "./lib/ipc.ts";
import { ownStats, type Harness, type OpenStream } from "./lib/harness.ts";
import { capacity, runScenarios, startAndTokenCost, type ScenarioConfig } from "./scenarios.ts";
import { floorStream } from "./contenders/floor.ts";
import { agentFloorStream } from "./contenders/agent.ts";
import { bytesFloorStream } from "./contenders/bytes-floor.ts";
import { startTokenwire, startTokenwireAgent } from "./contenders/tokenwire.ts";
import { startSeedServer } from "./contenders/seed-grpc.ts";
import { startAiSdkServer } from "./contenders/ai-sdk.ts";
import { startSseProxy } from "./contenders/sse-proxy.ts";
import { startWireFloor } from "./contenders/wire-floor.ts";
import { startH2Floor } from "./contenders/h2-floor.ts";

const servers: Record<string, (upstreamUrl: string, root?: string) => Promise<number>> = {
  "tokenwire": startTokenwire,
  "tokenwire-agent": startTokenwireAgent,
  // The coalescing window, 20 ms: fewer messages per token on a fast model, for up to that much added delay.
  "tokenwire-coalesce-20": (upstreamUrl) => startTokenwire(upstreamUrl, undefined, 20),
  "seed-grpc": startSeedServer,
  "ai-sdk": startAiSdkServer,
  "tokenwire-dialects": (upstreamUrl) => startTokenwire(upstreamUrl),
  "sse-proxy": startSseProxy,
  "wire-floor": (upstreamUrl) => startWireFloor(upstreamUrl),
  "wire-floor-h1": (upstreamUrl) => startWireFloor(upstreamUrl, true),
  "h2-floor": startH2Floor,
};
const floors: Record<string, (upstreamUrl: string) => OpenStream> = {
  "floor": floorStream,
  "agent-floor": agentFloorStream,
  "bytes-floor": bytesFloorStream,
};

// `root`: the source tree a baseline row runs tokenwire from (see lib/checkout.ts).
const [kind = "", upstreamUrl = "", root] = process.argv.slice(2);
const parent: IpcPeer = createIpcPeer(process, {
  serverStats: (gc: boolean) => ownStats(gc),
  run: (config: ScenarioConfig) => runScenarios(inProcess(), config),
  startAndTokenCost: ({ config, rounds }: { config: ScenarioConfig; rounds: number }) => startAndTokenCost(inProcess(), config, rounds),
  capacity: ({ config, search }: { config: ScenarioConfig; search: Parameters<typeof capacity>[2] }) => capacity(inProcess(), config, search),
});
// A floor's harness: its streams and the figures of this very process.
function inProcess(): Harness {
  const open = floors[kind]?.(upstreamUrl);
  if (!open) throw new Error(`"${kind}" runs no scenarios in process`);
  return { open, serverStats: async (gc) => ownStats(gc), upstreamClosedAt: (tag) => parent.call("upstreamClosedAt", tag) };
}
const start = servers[kind];
await parent.call("ready", { port: start ? await start(upstreamUrl, root) : undefined });
// Exit cleanly on the harness's stop, so that --cpu-prof writes its profile.
process.once("SIGTERM", () => process.exit(0));
