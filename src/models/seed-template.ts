import { ChatPromptTemplate } from "@langchain/core/prompts";

/**
 * The prompt of the seed's chain, in the seed's shape: an assistant preamble,
 * then the caller's text in `{human_input}`. Used by the `openai.Chatgpt`
 * service unless the embedder gives another template.
 */
export const seedTemplate = ChatPromptTemplate.fromMessages([
  [
    "system",
    "You are Assistant, a large language model. You help with a wide range of tasks, from answering simple " +
      "questions to explaining topics in depth, and you answer in clear, natural language.",
  ],
  ["human", "{human_input}"],
]);

/** The variable of {@link seedTemplate} that a prompt fills. */
export const seedInputVariable = "human_input";
