import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { createClientMethodSerializers, createEnvelopeReadableStream, encodeEnvelope, envelopeCompress, envelopeDecompress, type Compression } from "@connectrpc/connect/protocol";
import * as grpc from "@connectrpc/connect/protocol-grpc";
import * as grpcWeb from "@connectrpc/connect/protocol-grpc-web";
import * as connect from "@connectrpc/connect/protocol-connect";
import { compressionGzip } from "@connectrpc/connect-node";
import { StreamTokensRequestSchema, TokenService, type StreamTokensResponse } from "../../gen/tokenwire/v1/token_service_pb.js";
import { TokenwireError, type TokenEvent, type TokenSink } from "../../src/index.ts";
import { connectProtocol } from "../../src/adapters/rpc-stream/connect-protocol.ts";
import { grpcProtocol } from "../../src/adapters/rpc-stream/grpc-protocol.ts";
import { grpcWebProtocol } from "../../src/adapters/rpc-stream/grpc-web-protocol.ts";
import type { StreamProtocol } from "../../src/adapters/rpc-stream/stream-protocol.ts";
import { connectCodes } from "../../src/adapters/connect/connect-error-from.ts";
import { collect } from "./collect.ts";
import { runSinkContract, withReaderGone } from "./sink-contract.ts";

const streamTokens = TokenService.method.streamTokens;

/** The protocols of a server-streaming call. */
export type RpcProtocolName = "grpc" | "grpc-web" | "connect";

/** Options of {@link readFrames}. */
export interface ReadFramesOptions<O> {
  protocol: RpcProtocolName;
  /** The client's parser of the method's output. */
  parse(data: Uint8Array): O;
  /** gRPC's trailers, asked for once the body has ended. */
  trailers?: () => Headers;
  /** The response's compression, for compressed envelopes. */
  compression?: Compression;
}

const endStream = connect.createEndStreamSerialization(undefined);

/**
 * Reads a server-streaming response body with connect-es's own client-side
 * parsers: its envelope reader, decompression and the method's parser, then
 * the status (gRPC's trailers, gRPC-Web's trailer frame, Connect's
 * end-stream message), thrown as the ConnectError a client would throw.
 */
export async function* readFrames<O>(body: ReadableStream<Uint8Array>, options: ReadFramesOptions<O>): AsyncGenerator<O> {
  let ended = false;
  const envelopes = createEnvelopeReadableStream(body).getReader();
  for (let read = await envelopes.read(); !read.done; read = await envelopes.read()) {
    const envelope = read.value;
    if (ended) throw new ConnectError("protocol error: an envelope after the status", Code.Internal);
    const { flags, data } = await envelopeDecompress(envelope, options.compression ?? null, 0xffffffff);
    if (options.protocol === "grpc-web" && flags === grpcWeb.trailerFlag) {
      grpc.validateTrailer(grpcWeb.trailerParse(data), new Headers());
      ended = true;
    } else if (options.protocol === "connect" && flags === connect.endStreamFlag) {
      const { error } = endStream.parse(data);
      if (error) throw error;
      ended = true;
    } else {
      yield options.parse(data);
    }
  }
  if (options.protocol === "grpc") grpc.validateTrailer(options.trailers?.() ?? new Headers(), new Headers());
  else if (!ended) throw new ConnectError("protocol error: the body ended with no status", Code.Internal);
}

/** One way to send a `StreamTokens` request: the protocol, the codec, and whether its body is compressed. */
export interface RpcWay {
  protocol: RpcProtocolName;
  binary: boolean;
  sendCompression?: Compression | null;
}

/** Options of {@link streamTokensRequest}. */
export interface StreamTokensRequestOptions {
  model: string;
  timeoutMs?: number;
  /** The bytes to send instead of the request's envelope: a malformed body. */
  body?: Uint8Array;
}

/** A `StreamTokens` request's headers and body, as connect-es's own clients send it, accepting gzip. */
export async function streamTokensRequest(way: RpcWay, options: StreamTokensRequestOptions): Promise<{ headers: Headers; body: Uint8Array }> {
  const { protocol, binary, sendCompression = null } = way;
  const accept = [compressionGzip];
  const headers =
    protocol === "grpc"
      ? grpc.requestHeaderWithCompression(binary, options.timeoutMs, undefined, accept, sendCompression)
      : protocol === "grpc-web"
        ? grpcWeb.requestHeaderWithCompression(binary, options.timeoutMs, undefined, accept, sendCompression, true)
        : connect.requestHeaderWithCompression("server_streaming", binary, options.timeoutMs, undefined, accept, sendCompression, true);
  if (options.body) return { headers, body: options.body };
  const message = createClientMethodSerializers(streamTokens, binary).serialize(create(StreamTokensRequestSchema, { generation: { model: options.model, input: { case: "prompt", value: "hi" } } }));
  const envelope = sendCompression ? await envelopeCompress({ flags: 0, data: message }, sendCompression, 0) : { flags: 0, data: message };
  return { headers, body: encodeEnvelope(envelope.flags, envelope.data) };
}

/** What a `StreamTokens` call got: the HTTP status, the head, the messages as connect's parsers read them, and the status's error. */
export interface Answered {
  status: number;
  header: Headers;
  responses: StreamTokensResponse[];
  error?: ConnectError;
}

/** Reads a `StreamTokens` answer to its end with {@link readFrames}, gzip-compressed envelopes and all. */
export async function answeredOf(way: RpcWay, sent: { status: number; headers: Headers; body: ReadableStream<Uint8Array> | null; trailers?: () => Headers }): Promise<Answered> {
  const parse = createClientMethodSerializers(streamTokens, way.binary).parse;
  const { events, error } = await collect(readFrames(sent.body ?? new Response().body!, { protocol: way.protocol, parse, trailers: sent.trailers, compression: compressionGzip }));
  return { status: sent.status, header: sent.headers, responses: events, error: error as ConnectError | undefined };
}

const codeNames = new Map(Object.entries(connectCodes).map(([name, code]) => [code, name as TokenwireError["code"]]));

/** What a client makes of `StreamTokens` messages: the events again, and the status as a TokenwireError. */
export async function* tokenEventsOf(responses: AsyncIterable<StreamTokensResponse>): AsyncGenerator<TokenEvent> {
  try {
    for await (const response of responses) yield eventOf(response);
  } catch (reason) {
    const { code, rawMessage } = reason as ConnectError;
    throw new TokenwireError(codeNames.get(code) ?? "internal", rawMessage);
  }
}

function eventOf({ sequence, event, origin }: StreamTokensResponse): TokenEvent {
  const seq = Number(sequence);
  const from = origin && { node: origin.node || undefined, runId: origin.runId || undefined };
  switch (event.case) {
    case "started":
      return { type: "started", seq, runId: event.value.runId, model: event.value.model };
    case "delta":
      return { type: "delta", seq, text: event.value.text, origin: from };
    case "reasoning":
      return { type: "reasoning", seq, text: event.value.text, origin: from };
    case "toolCallDelta":
      return { type: "tool_call_delta", seq, index: event.value.index, id: event.value.id, name: event.value.name, text: event.value.args, origin: from };
    case "finished":
      return { type: "finished", seq, finishReason: "stop", usage: undefined };
    default:
      throw new Error(`no event in ${event.case}`);
  }
}

/** A `StreamTokens` frame sink on some wire, and the responses its client reads. */
export type StreamTokensSinkOn = (
  protocol: StreamProtocol,
  binary: boolean,
  options: { highWaterMark: number; onReturn: () => void },
) => { sink: TokenSink<TokenEvent>; read(): AsyncIterable<StreamTokensResponse> };

/** Runs the {@link runSinkContract TokenSink contract} on a wire's `StreamTokens` frame sinks, one protocol and codec at a time. */
export function runFrameSinkContract(wire: string, protocols: [string, StreamProtocol, boolean][], sinkOn: StreamTokensSinkOn): void {
  for (const [name, protocol, binary] of protocols) {
    runSinkContract({
      name: `createRpcCallSink ${wire} over ${name}`,
      createSink: ({ highWaterMark }) =>
        withReaderGone((onReturn) => {
          const { sink, read } = sinkOn(protocol, binary, { highWaterMark, onReturn });
          return { sink, read: () => tokenEventsOf(read()) };
        }),
    });
  }
}

/** Every protocol and codec a frame sink writes, by name. */
export const frameSinkProtocols: [string, StreamProtocol, boolean][] = [
  ["gRPC", grpcProtocol, true],
  ["gRPC, JSON", grpcProtocol, false],
  ["gRPC-Web", grpcWebProtocol, true],
  ["gRPC-Web, JSON", grpcWebProtocol, false],
  ["Connect", connectProtocol, true],
  ["Connect, JSON", connectProtocol, false],
];
