import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The directory {@link writeModelsFile} writes in, which holds nothing else. */
export const modelsFileDir = mkdtempSync(join(tmpdir(), "tokenwire-models-file-"));
let files = 0;

/** Writes a models file, a value as JSON or a string as it is, and returns its path. */
export function writeModelsFile(content: unknown): string {
  const path = join(modelsFileDir, `models-${files++}.json`);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

/** A models file of OpenAI, an OpenAI-compatible server and Anthropic, whose default is the second one's model. */
export const threeProviders = {
  defaultModel: "llama3.2",
  providers: [
    { type: "openai", api: "responses", models: ["gpt-4o-mini", "gpt-4o"] },
    { name: "ollama", type: "openai", baseUrl: "http://127.0.0.1:11434/v1", models: ["llama3.2"] },
    { type: "anthropic", models: ["claude-sonnet-4-5"], thinkingBudgetTokens: 2048 },
  ],
};
