import { createClient, type Transport } from "@connectrpc/connect";
import { toJsonString } from "@bufbuild/protobuf";
import { Chatgpt } from "../../gen/openai/chatgpt_pb.js";
import { StreamTokensResponseSchema, TokenService, type StreamTokensResponse } from "../../gen/tokenwire/v1/token_service_pb.js";
import type { CliOutput } from "./cli-output.ts";
import type { AskOptions, ResumeOptions } from "./parse-cli-args.ts";
import { TextPrinter } from "./text-printer.ts";

/** How far a stream has been read: what it takes to resume it. */
export interface StreamPosition {
  /** Set once the server says the stream is resumable, or from the start when resuming. */
  streamId?: string;
  /** The last sequence received. */
  sequence?: bigint;
}

/** Where `ask` writes, the signal that cancels its call, and where it notes how far it has read. */
export interface AskIo {
  transport: Transport;
  output: CliOutput;
  signal?: AbortSignal;
  position: StreamPosition;
}

/**
 * Streams one reply: as text (the default; see {@link TextPrinter}), the
 * seed's Answers between separators (`sep`), or one JSON line per
 * `tokenwire.v1` event (`events`). A resumable stream's id goes to stderr
 * first. Failures are thrown as ConnectErrors.
 */
export async function ask(options: AskOptions, io: AskIo): Promise<void> {
  if (options.sep !== undefined) return askSeed(options, io);
  const client = createClient(TokenService, io.transport);
  const generation = { input: { case: "prompt" as const, value: options.prompt }, model: options.model, temperature: options.temperature, maxTokens: options.maxTokens };
  await printStream(client.streamTokens({ generation, resumable: options.resumable }, { signal: io.signal }), { events: options.events, io });
}

/** Prints the rest of a resumable stream after `afterSequence`, as {@link ask} prints a new one. */
export async function resume(options: ResumeOptions, io: AskIo): Promise<void> {
  const client = createClient(TokenService, io.transport);
  Object.assign(io.position, { streamId: options.streamId, sequence: options.afterSequence });
  await printStream(client.resumeStream({ streamId: options.streamId, afterSequence: options.afterSequence }, { signal: io.signal }), { events: options.events, io });
}

async function printStream(responses: AsyncIterable<StreamTokensResponse>, { events, io }: { events: boolean; io: AskIo }): Promise<void> {
  const printer = new TextPrinter(io.output);
  try {
    for await (const response of responses) {
      io.position.sequence = response.sequence;
      const { event } = response;
      if (event.case === "started" && event.value.streamId) {
        io.position.streamId = event.value.streamId;
        io.output.stderr(`${io.output.dim(`stream id: ${event.value.streamId}`)}\n`);
      }
      // Every field on every line, zeros included, so a reader of the lines needs no proto3 defaults.
      if (events) io.output.stdout(`${toJsonString(StreamTokensResponseSchema, response, { alwaysEmitImplicit: true })}\n`);
      else printer.print(response);
    }
  } finally {
    printer.cut();
  }
}

// The seed's Send: one Answer per token; an error Answer is followed by an error status, which is what gets reported.
async function askSeed(options: AskOptions, io: AskIo): Promise<void> {
  const client = createClient(Chatgpt, io.transport);
  const params = { model: options.model ?? "", temperature: options.temperature ?? 0 };
  let printed = false;
  let ended = false;
  try {
    for await (const answer of client.send({ content: options.prompt, params }, { signal: io.signal })) {
      if (answer.error) continue;
      io.output.stdout(printed ? `${options.sep}${answer.content}` : answer.content);
      printed = true;
    }
    ended = true;
  } finally {
    // The reply's line ends whether it is complete or cut, so that the shell prompt or the error starts on its own.
    if (ended || printed) io.output.stdout("\n");
  }
}
