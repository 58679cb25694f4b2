import { pathToFileURL } from "node:url";
import type { GenerationRequest } from "../../src/core/generation-request.ts";
import type { ModelResolver } from "../../src/core/model-resolver.ts";
import { messagesInput } from "../../src/models/tokenwire-from.ts";
import { benchAgent } from "./agent.ts";

type ServerModule = typeof import("../../src/server/create-tokenwire-server.ts");
type ModelsModule = typeof import("../../src/models/models-from-env.ts");

/**
 * tokenwire's one-port server (Connect, gRPC, gRPC-Web) as `npm start` builds
 * it, on the bench upstream. `root` is the source tree to import it from: this
 * checkout, or a baseline's worktree (`--baseline`), so that both run in one
 * bench against the same upstream.
 */
export async function startTokenwire(upstreamUrl: string, root?: string, coalesceMs?: number): Promise<number> {
  const { modelsFromEnv } = (await import(sourceFile(root, "src/models/models-from-env.ts"))) as ModelsModule;
  const models = modelsFromEnv({ OPENAI_BASE_URL: upstreamUrl, OPENAI_API_KEY: "bench", OPENAI_MAX_RETRIES: "0", TOKENWIRE_MODELS: "*" });
  return listen(models.resolve, { root, coalesceMs });
}

/** The same server serving a LangGraph ReAct agent: each request's messages are its input, its model name the agent's model. */
export async function startTokenwireAgent(upstreamUrl: string): Promise<number> {
  const agent = benchAgent(upstreamUrl);
  const resolve = (request: GenerationRequest) => ({
    model: request.model ?? "",
    runnable: agent.withConfig({ configurable: { model: request.model } }),
    input: messagesInput(request),
  });
  return listen(resolve);
}

async function listen(resolve: ModelResolver, { root, coalesceMs }: { root?: string; coalesceMs?: number } = {}): Promise<number> {
  const { createTokenwireServer } = (await import(sourceFile(root, "src/server/create-tokenwire-server.ts"))) as ServerModule;
  // Room for the capacity section's most streams, and for the memory scenario's that are still tearing down when the paced ones start.
  const server = createTokenwireServer({ resolve, limits: { maxConcurrentStreams: 20_000 }, ...(coalesceMs && { coalesceMs }) });
  const { port } = await server.listen(0, "127.0.0.1");
  return port;
}

function sourceFile(root: string | undefined, path: string): string {
  return root ? pathToFileURL(`${root}/${path}`).href : new URL(`../../${path}`, import.meta.url).href;
}
