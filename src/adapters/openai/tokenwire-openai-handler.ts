import { errors } from "../../core/errors.ts";
import type { Tokenwire } from "../../core/tokenwire.ts";
import { TokenwireError } from "../../core/tokenwire-error.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import * as dialect from "../dialect/dialect-handler.ts";
import { chatCompletionCall } from "./chat-completion-call.ts";
import { chatCompletionFrom, createChatCompletionSink, openAIErrorReply } from "./chat-completion-sink.ts";

/** Options of the OpenAI-compatible routes. */
export interface OpenAIRoutesOptions extends dialect.DialectRoutesOptions {
  /** The path before `/chat/completions` and `/models`; default `/v1`, where OpenAI's clients look. */
  basePath?: string;
}

/** Options of {@link tokenwireOpenAIHandler}. */
export type TokenwireOpenAIHandlerOptions = OpenAIRoutesOptions & dialect.DialectHandlerOptions<NodeHandler>;

/** Options of {@link tokenwireOpenAIFetchHandler}. */
export type TokenwireOpenAIFetchHandlerOptions = OpenAIRoutesOptions & dialect.DialectHandlerOptions<dialect.FetchHandler>;

/**
 * A `node:http` / `node:http2` handler, and Express middleware, that serves
 * OpenAI's chat-completions API: `POST /v1/chat/completions`, streaming and
 * not, and `GET /v1/models`. Any OpenAI client reaches tokenwire by its base URL.
 */
export function tokenwireOpenAIHandler(tokenwire: Tokenwire, options: TokenwireOpenAIHandlerOptions = {}): dialect.DialectNodeHandler {
  return dialect.dialectNodeHandler(openAIDialect(tokenwire, options), options);
}

/** The same API as a `(Request) => Promise<Response>` handler, for Deno, Bun, Workers and Next.js. */
export function tokenwireOpenAIFetchHandler(tokenwire: Tokenwire, options: TokenwireOpenAIFetchHandlerOptions = {}): dialect.FetchHandler {
  return dialect.dialectFetchHandler(openAIDialect(tokenwire, options), options);
}

function openAIDialect(tokenwire: Tokenwire, options: OpenAIRoutesOptions): dialect.Dialect {
  const base = options.basePath ?? "/v1";
  return {
    protocol: "openai",
    errorReply: openAIErrorReply,
    route(method, path) {
      if (method === "POST" && path === `${base}/chat/completions`) return { json: true, answer: (request) => chatCompletions(tokenwire, request, options) };
      if (method === "GET" && path === `${base}/models`) return { json: false, answer: async () => dialect.jsonReply(200, modelList(tokenwire)) };
      // The base path is OpenAI's: what is not served there is a 404 in OpenAI's words, which its clients read.
      if (base !== "" && path.startsWith(`${base}/`)) return { json: false, answer: () => Promise.reject(errors.noRoute(method, path)) };
      return undefined;
    },
  };
}

async function chatCompletions(tokenwire: Tokenwire, request: dialect.DialectRequest, options: OpenAIRoutesOptions): Promise<dialect.DialectReply> {
  const call = chatCompletionCall(request.body);
  if (!call.stream) return dialect.jsonReply(200, chatCompletionFrom(await tokenwire.generate(call.request, dialect.contextOf(request, "openai"))));
  const sink = createChatCompletionSink({ includeUsage: call.includeUsage, onReturn: request.cancel });
  return dialect.sseReply(tokenwire, { request: call.request, sink, protocol: "openai" }, request);
}

// OpenAI's model list; `created` is unknown here, and 0 says so.
function modelList(tokenwire: Tokenwire): object {
  return { object: "list", data: tokenwire.models.models.map((id) => ({ id, object: "model", created: 0, owned_by: "tokenwire" })) };
}
