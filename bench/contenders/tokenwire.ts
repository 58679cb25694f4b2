import { modelsFromEnv } from "../../src/models/models-from-env.ts";
import { createTokenwireServer } from "../../src/server/create-tokenwire-server.ts";

/** tokenwire's one-port server (Connect, gRPC, gRPC-Web) as `npm start` builds it, on the bench upstream. */
export async function startTokenwire(upstreamUrl: string): Promise<number> {
  const models = modelsFromEnv({ OPENAI_BASE_URL: upstreamUrl, OPENAI_API_KEY: "bench", OPENAI_MAX_RETRIES: "0", TOKENWIRE_MODELS: "*" });
  // Room for the memory scenario's streams that are still tearing down when the paced ones start.
  const server = createTokenwireServer({ resolve: models.resolve, limits: { maxConcurrentStreams: 4096 } });
  const { port } = await server.listen(0, "127.0.0.1");
  return port;
}
