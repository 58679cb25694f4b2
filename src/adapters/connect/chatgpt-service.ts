import type { HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Tokenwire } from "../../core/tokenwire.ts";
import type { GenerationRequest } from "../../core/generation-request.ts";
import { Chatgpt, type Message } from "../../../gen/openai/chatgpt_pb.js";
import { callContextFrom } from "./call-context.ts";
import { connectErrorFrom } from "./connect-error-from.ts";

/** Options of {@link chatgptServiceImpl}. */
export interface ChatgptServiceOptions {
  /** The prompt template a `Send` runs through; default `seed`, the seed's own. */
  template?: string;
}

/**
 * `openai.Chatgpt`, wire-compatible with the seed: one `Answer.content` per
 * delta; on failure one `Answer.error`, then the matching status. A
 * temperature of 0, proto3's unset value, leaves the model's default.
 */
export function chatgptServiceImpl(tokenwire: Tokenwire, options: ChatgptServiceOptions = {}): ServiceImpl<typeof Chatgpt> {
  return {
    async *send(request, context: HandlerContext) {
      const events = tokenwire.streamTokens(sendRequestOf(request, options), callContextFrom(context));
      try {
        for await (const event of events) {
          if (event.type === "started") context.responseHeader.set("tokenwire-run-id", event.runId);
          if (event.type === "delta") yield { content: event.text };
        }
      } catch (reason) {
        const error = connectErrorFrom(reason);
        if (!context.signal.aborted) yield { error: error.rawMessage };
        throw error;
      }
    },
  };
}

/** @internal The core's request for a seed `Send`. */
export function sendRequestOf(request: Message, options: ChatgptServiceOptions): GenerationRequest {
  return {
    prompt: request.content,
    model: request.params?.model || undefined,
    temperature: temperatureOf(request.params?.temperature),
    template: options.template ?? "seed",
  };
}

// proto3's unset float is 0: the model's default. Any other value, NaN included, goes to the core's check
// (`|| undefined` would have read NaN as unset too, and called the model with a temperature nobody sent).
function temperatureOf(temperature: number | undefined): number | undefined {
  return temperature === 0 ? undefined : temperature;
}
