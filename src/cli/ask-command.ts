import { createClient, type Transport } from "@connectrpc/connect";
import { toJsonString } from "@bufbuild/protobuf";
import { Chatgpt } from "../../gen/openai/chatgpt_pb.js";
import { StreamTokensResponseSchema, TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import type { AskOptions } from "./parse-cli-args.ts";

/** Where `ask` writes, and the signal that cancels its call. */
export interface AskIo {
  transport: Transport;
  write: (text: string) => void;
  signal?: AbortSignal;
}

/**
 * Streams one reply: the text as it comes (the default), the seed's Answers
 * between separators (`sep`), or one JSON line per `tokenwire.v1` event
 * (`events`). Failures are thrown as ConnectErrors.
 */
export async function ask(options: AskOptions, io: AskIo): Promise<void> {
  if (options.sep !== undefined) return askSeed(options, io);
  const client = createClient(TokenService, io.transport);
  const generation = { input: { case: "prompt" as const, value: options.prompt }, model: options.model, temperature: options.temperature, maxTokens: options.maxTokens };
  for await (const response of client.streamTokens({ generation }, { signal: io.signal })) {
    // Every field on every line, zeros included, so a reader of the lines needs no proto3 defaults.
    if (options.events) io.write(`${toJsonString(StreamTokensResponseSchema, response, { alwaysEmitImplicit: true })}\n`);
    else if (response.event.case === "delta") io.write(response.event.value.text);
    else if (response.event.case === "finished") io.write("\n");
  }
}

// The seed's Send: one Answer per token; an error Answer is followed by an error status, which is what gets reported.
async function askSeed(options: AskOptions, io: AskIo): Promise<void> {
  const client = createClient(Chatgpt, io.transport);
  const params = { model: options.model ?? "", temperature: options.temperature ?? 0 };
  let first = true;
  for await (const answer of client.send({ content: options.prompt, params }, { signal: io.signal })) {
    if (answer.error) continue;
    io.write(first ? answer.content : `${options.sep}${answer.content}`);
    first = false;
  }
  io.write("\n");
}
