import { errors } from "../../core/errors.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import { tokenwireFrom, type TokenwireInput } from "../../models/tokenwire-from.ts";
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
export function tokenwireUIMessageHandler(input: TokenwireInput, options: TokenwireUIMessageHandlerOptions = {}): dialect.DialectNodeHandler {
  return dialect.dialectNodeHandler(uiMessageRoutes(tokenwireFrom(input), options), options);
}

/** The same route as a `(Request) => Promise<Response>` handler, for Next.js route handlers, Deno, Bun and Workers. */
export function tokenwireUIMessageFetchHandler(input: TokenwireInput, options: TokenwireUIMessageFetchHandlerOptions = {}): dialect.FetchHandler {
  return dialect.dialectFetchHandler(uiMessageRoutes(tokenwireFrom(input), options), options);
}

function uiMessageRoutes(tokenwire: Tokenwire, options: UIMessageRoutesOptions): dialect.DialectRoutes {
  const path = options.path ?? "/api/chat";
  const resumePath = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/[^/]+/stream$`);
  return (method, requested) => {
    if (method === "POST" && requested === path) return (request) => chat(tokenwire, request, options).catch(errorReply);
    if (method === "GET" && resumePath.test(requested)) return noStreamToResume;
    return undefined;
  };
}

async function chat(tokenwire: Tokenwire, request: dialect.DialectRequest, options: UIMessageRoutesOptions): Promise<dialect.DialectReply> {
  if (options.isDraining?.()) throw errors.shuttingDown();
  const { request: generation } = uiMessageCall(await request.json());
  const sink = createUIMessageStreamSink({ onReturn: request.cancel });
  return dialect.sseReply(tokenwire, { request: generation, sink, protocol: "ai-sdk", headers: uiMessageStreamHeaders }, request);
}

// `DefaultChatTransport.reconnectToStream` reads 204 as "no stream to resume". Resumable streams will answer here.
async function noStreamToResume(): Promise<dialect.DialectReply> {
  return { status: 204, headers: {}, body: "" };
}

// The AI SDK shows an error reply's body as the error's message: plain words, not JSON.
function errorReply(reason: unknown): dialect.DialectReply {
  const error = TokenwireError.from(reason);
  const { status, headers } = dialect.errorStatus(error);
  return { status, headers: { ...headers, "content-type": "text/plain; charset=utf-8" }, body: error.message };
}
