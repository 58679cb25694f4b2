import { describe, expect, it } from "vitest";
import { validateRequest, type GenerationRequest } from "../../src/core/generation-request.ts";
import { TokenwireError } from "../../src/core/tokenwire-error.ts";

function problemOf(request: GenerationRequest, limits = {}): string | undefined {
  try {
    validateRequest(request, limits);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(TokenwireError);
    expect((error as TokenwireError).code).toBe("invalid_argument");
    return (error as Error).message;
  }
}

describe("validateRequest()", () => {
  it("should accept a prompt, or a chat history, with settings in range", () => {
    expect(problemOf({ prompt: "hi", temperature: 0, maxTokens: 1 })).toBeUndefined();
    expect(problemOf({ messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hi" }], temperature: 2 })).toBeUndefined();
  });

  it.each<[string, GenerationRequest, RegExp]>([
    ["no input", {}, /prompt is empty/],
    ["a blank prompt", { prompt: "  \n" }, /prompt is empty/],
    ["both a prompt and messages", { prompt: "a", messages: [{ role: "user", content: "b" }] }, /a prompt or messages but not both/],
    ["a message without a role", { messages: [{ role: "unspecified" as "user", content: "b" }] }, /message 0 needs a role/],
    ["an empty message", { messages: [{ role: "user", content: "a" }, { role: "user", content: "" }] }, /message 1/],
    ["a negative temperature", { prompt: "a", temperature: -0.1 }, /temperature must be between 0 and 2/],
    ["a temperature above 2", { prompt: "a", temperature: 2.5 }, /temperature/],
    ["a NaN temperature", { prompt: "a", temperature: Number.NaN }, /temperature/],
    ["zero max tokens", { prompt: "a", maxTokens: 0 }, /max_tokens must be an integer from 1 to 32768/],
    ["fractional max tokens", { prompt: "a", maxTokens: 1.5 }, /max_tokens/],
    ["too many max tokens", { prompt: "a", maxTokens: 40_000 }, /max_tokens/],
    ["a variable name that is no identifier", { prompt: "a", variables: { "a-b": "x" } }, /variable names/],
  ])("should refuse %s with a message that says what to fix", (_, request, message) => {
    expect(problemOf(request)).toMatch(message);
  });

  it("should accept tools, an assistant message that only calls tools, and a tool's empty result", () => {
    const toolCalls = [{ id: "call_1", name: "lookup", argsJson: "{}" }];
    const messages: GenerationRequest["messages"] = [{ role: "user", content: "u" }, { role: "assistant", content: "", toolCalls }, { role: "tool", content: "", toolCallId: "call_1" }];
    expect(problemOf({ messages, tools: [{ name: "lookup", parameters: { type: "object" } }], toolChoice: "required" })).toBeUndefined();
  });

  it.each<[string, GenerationRequest, string]>([
    ["tool calls on a user message", { messages: [{ role: "user", content: "u", toolCalls: [] }] }, "message 0 has tool calls but only an assistant message may"],
    ["a tool call id on an assistant message", { messages: [{ role: "assistant", content: "a", toolCallId: "c" }] }, "message 0 has a tool call id but only a tool message may"],
    ["a tool result before its call", { messages: [{ role: "tool", content: "r", toolCallId: "c" }] }, "message 0 is a tool result and must name the id of a tool call made before it"],
    ["an empty assistant message without tool calls", { messages: [{ role: "assistant", content: "" }] }, "message 0 needs a role (system or user or assistant or tool) and content"],
    ["a tool choice that names no offered tool", { prompt: "a", tools: [{ name: "a" }], toolChoice: { name: "b" } }, "tool_choice names a tool the request does not offer"],
  ])("should refuse %s", (_, request, message) => {
    expect(problemOf(request)).toBe(message);
  });

  it("should count tools' descriptions and schemas and tool calls' arguments as input", () => {
    expect(problemOf({ prompt: "x", tools: [{ name: "f", description: "y".repeat(20) }] }, { maxInputChars: 20 })).toBe("the input is longer than 20 characters");
  });

  it("should refuse input past the character limit, counting prompt, messages and variables", () => {
    expect(problemOf({ prompt: "x".repeat(11) }, { maxInputChars: 10 })).toBe("the input is longer than 10 characters");
    expect(problemOf({ prompt: "x".repeat(5), variables: { v: "y".repeat(5) } }, { maxInputChars: 10 })).toMatch(/longer/);
    expect(problemOf({ prompt: "x".repeat(10) }, { maxInputChars: 10 })).toBeUndefined();
  });
});
