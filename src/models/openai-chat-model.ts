import { ChatOpenAI, type ChatOpenAIFields } from "@langchain/openai";
import { OpenAICompletions } from "./openai-completions.ts";
import { OpenAIResponses } from "./openai-responses.ts";

/**
 * `ChatOpenAI` whose stream reads as every other chat model's, through either
 * of OpenAI's APIs: over chat completions, the reasoning an OpenAI-compatible
 * server streams (`reasoning_content` or `reasoning`) arrives as `reasoning`
 * parts ({@link OpenAICompletions}); over the Responses API
 * (`useResponsesApi: true`), reasoning summaries do, and the stream ends with
 * a finish reason ({@link OpenAIResponses}).
 */
export class OpenAIChatModel extends ChatOpenAI {
  constructor(fields: ChatOpenAIFields = {}) {
    // A copy built from another's fields (`lc_kwargs`) gets clients of its own, built with its own settings.
    const { completions: _completions, responses: _responses, ...own } = fields;
    super({ ...own, completions: new OpenAICompletions(own), responses: new OpenAIResponses(own) });
  }
}
