import { HumanMessage } from "@langchain/core/messages";
import { openAIModelFactory } from "../../src/models/openai-model.ts";
import type { OpenStream } from "../lib/harness.ts";

/**
 * The floor: LangChain's `.stream()` of the same ChatOpenAI that tokenwire
 * builds, read in process with no network out. Whatever a server adds on top
 * of this is the cost of putting tokens on a wire.
 */
export function floorStream(upstreamUrl: string): OpenStream {
  const createModel = openAIModelFactory({ baseURL: upstreamUrl, apiKey: "bench", maxRetries: 0 });
  return async function* (model, signal) {
    const stream = await createModel({ model }).stream([new HumanMessage("hi")], { signal });
    for await (const chunk of stream) {
      if (typeof chunk.content === "string" && chunk.content !== "") yield chunk.content;
    }
  };
}
