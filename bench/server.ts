// Bench-only entry of the process under test: starts one contender's server
// and answers the harness's calls for this process's own CPU and memory. The
// floor has no server: it runs the scenarios here, in process.
import { createIpcPeer, type IpcPeer } from "./lib/ipc.ts";
import { ownStats } from "./lib/harness.ts";
import { runScenarios, type ScenarioConfig } from "./scenarios.ts";
import { floorStream } from "./contenders/floor.ts";
import { startTokenwire } from "./contenders/tokenwire.ts";
import { startSeedServer } from "./contenders/seed-grpc.ts";
import { startAiSdkServer } from "./contenders/ai-sdk.ts";
import { startSseProxy } from "./contenders/sse-proxy.ts";

const servers: Record<string, (upstreamUrl: string) => Promise<number>> = {
  "tokenwire": startTokenwire,
  "seed-grpc": startSeedServer,
  "ai-sdk": startAiSdkServer,
  "tokenwire-dialects": (upstreamUrl) => startTokenwire(upstreamUrl),
  "sse-proxy": startSseProxy,
};

const [kind = "", upstreamUrl = ""] = process.argv.slice(2);
const parent: IpcPeer = createIpcPeer(process, {
  serverStats: (gc: boolean) => ownStats(gc),
  run: (config: ScenarioConfig) =>
    runScenarios(
      { open: floorStream(upstreamUrl), serverStats: async (gc) => ownStats(gc), upstreamClosedAt: (tag) => parent.call("upstreamClosedAt", tag) },
      config,
    ),
});
const start = servers[kind];
await parent.call("ready", { port: start ? await start(upstreamUrl) : undefined });
// Exit cleanly on the harness's stop, so that --cpu-prof writes its profile.
process.once("SIGTERM", () => process.exit(0));
