import { errors } from "../../core/errors.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import * as dialect from "../dialect/dialect-handler.ts";
import { uiMessageCall } from "./ui-message-call.ts";
import { createUIMessageStreamSink, uiMessageStreamHeaders } from "./ui-message-stream-sink.ts";

/** Options of the UI message stream routes. */
export interface UIMessageRoutesOptions extends dialect.DialectRoutesOptions {
  /** Where `useChat` posts, its transport's `api`; default `/api/chat`. */
  path?: string;
}

/** Options of {@link tokenwireUIMessageHandler}. */
export type TokenwireUIMessageHandlerOptions = UIMessageRoutesOptions & dialect.DialectHandlerOptions<NodeHandler>;

/** Options of {@link tokenwireUIMessageFetchHandler}. */
export type TokenwireUIMessageFetchHandlerOptions = UIMessageRoutesOptions & dialect.DialectHandlerOptions<dialect.FetchHandler>;

/**
 * A `node:http` / `node:http2` handler, and Express middleware, that answers
 * the AI SDK's `useChat` at `POST /api/chat` with its UI message stream.
 */
export function tokenwireUIMessageHandler(tokenwire: Tokenwire, options: TokenwireUIMessageHandlerOptions = {}): dialect.DialectNodeHandler {
  return dialect.dialectNodeHandler(uiMessageDialect(tokenwire, options), options);
}

/** The same route as a `(Request) => Promise<Response>` handler, for Next.js route handlers, Deno, Bun and Workers. */
export function tokenwireUIMessageFetchHandler(tokenwire: Tokenwire, options: TokenwireUIMessageFetchHandlerOptions = {}): dialect.FetchHandler {
  return dialect.dialectFetchHandler(uiMessageDialect(tokenwire, options), options);
}

function uiMessageDialect(tokenwire: Tokenwire, options: UIMessageRoutesOptions): dialect.Dialect {
  const path = options.path ?? "/api/chat";
  return {
    protocol: "ai-sdk",
    errorReply,
    route(method, requested) {
      if (method === "POST" && requested === path) return { json: true, answer: (request) => chat(tokenwire, request, options) };
      const route = chatRouteOf(requested, path);
      if (method === "GET" && route?.action === "stream") return { json: false, answer: (request) => resume(tokenwire, route.chatId, request) };
      if (method === "POST" && route?.action === "stop") return { json: true, answer: (request) => stop(tokenwire, route.chatId, request) };
      return undefined;
    },
  };
}

// `<path>/<chat id>/<action>`, the chat id still as the path spells it.
function chatRouteOf(requested: string, path: string): { chatId: string; action: string } | undefined {
  if (!requested.startsWith(`${path}/`)) return undefined;
  const [chatId = "", action = "", ...more] = requested.slice(path.length + 1).split("/");
  return chatId !== "" && more.length === 0 ? { chatId, action } : undefined;
}

function chatIdOf(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw errors.invalidRequest("the chat id in the path is not valid percent-encoding");
  }
}

// A chat's answer is a resumable stream named by the chat's id: a reload resumes it, and a stop reaches it.
async function chat(tokenwire: Tokenwire, request: dialect.DialectRequest, options: UIMessageRoutesOptions): Promise<dialect.DialectReply> {
  const { chatId, request: generation } = uiMessageCall(request.body);
  const sink = createUIMessageStreamSink({ onReturn: request.cancel });
  const resumable = chatId === undefined ? undefined : { resumable: true, streamId: chatId };
  return dialect.sseReply(tokenwire, { request: generation, sink, protocol: "ai-sdk", headers: uiMessageStreamHeaders, resumable }, request);
}

// `DefaultChatTransport.reconnectToStream` replays the answer from its start (its `resumeStreamIsReplay`), and reads
// 204 as nothing to resume: a chat with no answer generating, or one that is another caller's.
async function resume(tokenwire: Tokenwire, segment: string, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const chatId = chatIdOf(segment);
  const sink = createUIMessageStreamSink({ onReturn: request.cancel });
  void tokenwire.pipeResume({ streamId: chatId, afterSeq: -1 }, sink, { ...dialect.contextOf(request, "ai-sdk"), onlyLive: true });
  try {
    return await dialect.headedReply(sink, uiMessageStreamHeaders);
  } catch (reason) {
    if (reason instanceof TokenwireError && reason.code === "not_found") return { status: 204, headers: {}, body: "" };
    throw reason;
  }
}

// useChat's stop() only aborts its request, which a resumable answer outlives: the page asks for the stop here.
async function stop(tokenwire: Tokenwire, segment: string, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  return dialect.jsonReply(200, { stopped: await tokenwire.stopStream(chatIdOf(segment), dialect.contextOf(request, "ai-sdk")) });
}

// The AI SDK shows an error reply's body as the error's message: plain words, not JSON.
function errorReply({ error, status, headers }: dialect.HttpFailure): dialect.DialectReply {
  return { status, headers: { ...headers, "content-type": "text/plain; charset=utf-8" }, body: error.message };
}
