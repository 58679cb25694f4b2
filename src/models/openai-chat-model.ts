import { ChatOpenAI, type ChatOpenAIFields } from "@langchain/openai";
import { OpenAICompletions } from "./openai-completions.ts";

/**
 * `ChatOpenAI` whose stream reads as every other chat model's: over chat
 * completions, the reasoning an OpenAI-compatible server streams
 * (`reasoning_content` or `reasoning`) arrives as `reasoning` parts
 * ({@link OpenAICompletions}).
 */
export class OpenAIChatModel extends ChatOpenAI {
  constructor(fields: ChatOpenAIFields = {}) {
    // A copy built from another's fields (`lc_kwargs`) gets a client of its own, built with its own settings.
    const { completions: _completions, ...own } = fields;
    super({ ...own, completions: new OpenAICompletions(own) });
  }
}
