import { errors, hasReason } from "../../core/errors.ts";
import type { GenerationRequest } from "../../core/generation-request.ts";
import type { CallContext, Tokenwire } from "../../core/tokenwire.ts";
import type { TokenEvent } from "../../core/token-event.ts";
import type { TokenSink } from "../../core/token-sink.ts";
import type { TokenwireError } from "../../core/tokenwire-error.ts";
import type { NodeHandler } from "../node/one-port-server.ts";
import * as dialect from "../dialect/dialect-handler.ts";
import { openAIErrorReply } from "../openai/chat-completion-sink.ts";
import { createResponseBuilder, type ResponseBuilder } from "./response-builder.ts";
import { responseCall, type ResponseCall } from "./response-call.ts";
import { newResponseId, responseIdOf } from "./response-ids.ts";
import type { ResponseNote } from "./response-note.ts";
import { createResponseStreamSink } from "./response-stream-sink.ts";
import { withItemsReferenced } from "./item-references.ts";
import { previousConversation } from "./previous-response.ts";
import { protocol, readKeptResponse, readResponse, streamResponse } from "./read-response.ts";
import { inputItemList } from "./input-items.ts";

/** Options of the Responses API's routes. */
export interface ResponsesRoutesOptions extends dialect.DialectRoutesOptions {
  /** The path before `/responses`; default `/v1`, where OpenAI's clients look. */
  basePath?: string;
}

/** Options of {@link tokenwireResponsesHandler}. */
export type TokenwireResponsesHandlerOptions = ResponsesRoutesOptions & dialect.DialectHandlerOptions<NodeHandler>;

/** Options of {@link tokenwireResponsesFetchHandler}. */
export type TokenwireResponsesFetchHandlerOptions = ResponsesRoutesOptions & dialect.DialectHandlerOptions<dialect.FetchHandler>;

/**
 * A `node:http` / `node:http2` handler, and Express middleware, that serves
 * OpenAI's Responses API: `POST /v1/responses`, streaming and not, in the
 * foreground or in the background; and for a kept response
 * `GET /v1/responses/{id}` (its object, or its stream resumed with
 * `stream=true&starting_after=N`), `GET /v1/responses/{id}/input_items`
 * `POST /v1/responses/{id}/cancel` and `DELETE /v1/responses/{id}`.
 */
export function tokenwireResponsesHandler(tokenwire: Tokenwire, options: TokenwireResponsesHandlerOptions = {}): dialect.DialectNodeHandler {
  // The shared handler passes on no query string: the routes of each request are made with its own.
  return (req, res, next) => dialect.dialectNodeHandler(responsesDialect(tokenwire, options, queryOf(req.url ?? "")), options)(req, res, next);
}

/** The same API as a `(Request) => Promise<Response>` handler, for Deno, Bun, Workers and Next.js. */
export function tokenwireResponsesFetchHandler(tokenwire: Tokenwire, options: TokenwireResponsesFetchHandlerOptions = {}): dialect.FetchHandler {
  return (request) => dialect.dialectFetchHandler(responsesDialect(tokenwire, options, new URL(request.url).searchParams), options)(request);
}

// A previous response or a referenced item not held here is OpenAI's own error, which names the field and says what
// is missing.
const notHeld = {
  previousResponseNotFound: { param: "previous_response_id", code: "previous_response_not_found" },
  itemNotFound: { param: "input", code: "item_not_found" },
};

function responsesErrorReply(failure: dialect.HttpFailure): dialect.DialectReply {
  const missing = Object.entries(notHeld).find(([reason]) => hasReason(failure.error, reason as keyof typeof notHeld))?.[1];
  if (!missing) return openAIErrorReply(failure);
  return dialect.jsonReply(404, { error: { message: failure.error.message, type: "invalid_request_error", ...missing } }, failure.headers);
}

function queryOf(url: string): URLSearchParams {
  return new URLSearchParams(url.includes("?") ? url.slice(url.indexOf("?") + 1) : "");
}

// A cancel is a POST with no body, as the openai client sends it, and a delete has none either: routes that take no
// JSON, guarded against pages of other origins all the same.
function responsesDialect(tokenwire: Tokenwire, options: ResponsesRoutesOptions, query: URLSearchParams): dialect.Dialect {
  const path = `${options.basePath ?? "/v1"}/responses`;
  return {
    protocol,
    errorReply: responsesErrorReply,
    route(method, requested) {
      if (method === "POST" && requested === path) return { json: true, answer: (request) => create(tokenwire, request) };
      if (!requested.startsWith(`${path}/`)) return undefined;
      const [segment = "", action, ...more] = requested.slice(path.length + 1).split("/");
      if (more.length > 0) return undefined;
      if (method === "GET" && action === undefined) return { json: false, answer: (request) => retrieve(tokenwire, { segment, query }, request) };
      if (method === "GET" && action === "input_items") return { json: false, answer: (request) => inputItems(tokenwire, { segment, query }, request) };
      if (method === "POST" && action === "cancel") return { json: false, guarded: true, answer: (request) => cancel(tokenwire, segment, request) };
      if (method === "DELETE" && action === undefined) return { json: false, guarded: true, answer: (request) => remove(tokenwire, segment, request) };
      return undefined;
    },
  };
}

async function create(tokenwire: Tokenwire, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const call = responseCall(await withItemsReferenced(tokenwire, request));
  const previous = call.previousResponseId === undefined ? [] : await previousConversation(tokenwire, call.previousResponseId, request);
  const conversation = [...previous, ...call.input];
  const generation: GenerationRequest = { ...call.request, messages: [...call.instructions, ...conversation] };
  const id = newResponseId();
  const builder = createResponseBuilder({ id, echo: call.echo });
  const made: MadeResponse = { id, builder, generation, note: { echo: call.echo, conversation } };
  return (call.background ? background : foreground)(tokenwire, made, { call, request });
}

/** A response being made: its id, what builds it, what it generates, and what its log keeps of its request. */
interface MadeResponse {
  id: string;
  builder: ResponseBuilder;
  generation: GenerationRequest;
  note: ResponseNote;
}

// A kept response is a resumable stream named by its id, its request's note on its started event.
const keptContext = ({ id, note }: MadeResponse, request: dialect.DialectRequest): CallContext => ({ ...dialect.contextOf(request, protocol), resumable: true, streamId: id, note });

// A background response's own reader here follows its stream to its end whoever else reads it: it runs to its end,
// its cancel or the server's drain, whether or not its client stays.
async function background(tokenwire: Tokenwire, response: MadeResponse, { call, request }: { call: ResponseCall; request: dialect.DialectRequest }): Promise<dialect.DialectReply> {
  const keeper = keeperOf(response.builder);
  void tokenwire.pipeTokens(response.generation, keeper.sink, { ...keptContext(response, request), signal: undefined });
  // A call refused (a key, a limit, a model not offered) is an HTTP error; once started the response stands.
  const refused = await keeper.begun;
  if (refused) throw refused;
  if (!call.stream) return dialect.jsonReply(200, response.builder.response());
  return streamResponse(tokenwire, { id: response.id, echo: call.echo, startingAfter: -1 }, request);
}

// A kept response in the foreground is generated into its log apart from its reader, as a background one is, so its
// reader stops it when its client goes away, as every wire stops its model's call: it is kept `cancelled`. One not
// kept (`store: false`) is a plain generation, which its client going away ends.
async function foreground(tokenwire: Tokenwire, response: MadeResponse, { call, request }: { call: ResponseCall; request: dialect.DialectRequest }): Promise<dialect.DialectReply> {
  const stopWhenLeft = <S extends TokenSink<TokenEvent>>(sink: S): S => ({
    ...sink,
    close(error) {
      if (error && request.signal.aborted) void tokenwire.stopStream(response.id, dialect.contextOf(request, protocol)).catch(() => undefined);
      return sink.close(error);
    },
  });
  const [context, watch] = call.store ? [keptContext(response, request), stopWhenLeft] : [dialect.contextOf(request, protocol), <S>(sink: S) => sink];
  if (call.stream) {
    const sink = watch(createResponseStreamSink({ builder: response.builder, onReturn: request.cancel }));
    void tokenwire.pipeTokens(response.generation, sink, context);
    return dialect.headedReply(sink);
  }
  const keeper = keeperOf(response.builder);
  void tokenwire.pipeTokens(response.generation, watch(keeper.sink), context);
  const failed = await keeper.ended;
  if (failed) throw failed;
  return dialect.jsonReply(200, response.builder.response());
}

// A sink that builds the response: `begun` settles at its first event (or its refusal), `ended` at its end.
function keeperOf(builder: ResponseBuilder): { sink: TokenSink<TokenEvent>; begun: Promise<TokenwireError | undefined>; ended: Promise<TokenwireError | undefined> } {
  let begin: (error: TokenwireError | undefined) => void = () => {};
  let end: (error: TokenwireError | undefined) => void = () => {};
  const begun = new Promise<TokenwireError | undefined>((resolve) => (begin = resolve));
  const ended = new Promise<TokenwireError | undefined>((resolve) => (end = resolve));
  const sink: TokenSink<TokenEvent> = {
    write(event) {
      builder.event(event);
      begin(undefined);
    },
    close(error) {
      builder.end(error);
      begin(error);
      end(error);
    },
  };
  return { sink, begun, ended };
}

async function retrieve(tokenwire: Tokenwire, { segment, query }: { segment: string; query: URLSearchParams }, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const id = responseIdOf(segment);
  const stream = query.get("stream");
  if (stream !== null && stream !== "true" && stream !== "false") throw errors.invalidRequest("stream must be true or false");
  if (stream !== "true") {
    if (query.has("starting_after")) throw errors.invalidRequest("starting_after needs stream=true");
    return dialect.jsonReply(200, await readResponse(tokenwire, { id, upTo: "now" }, request));
  }
  // A reconnecting EventSource says where it is by the last id it had, which is the event's sequence number.
  const after = query.get("starting_after") ?? request.headers.get("last-event-id");
  const startingAfter = after === null ? -1 : Number(after);
  if (!Number.isSafeInteger(startingAfter) || (after !== null && startingAfter < 0)) throw errors.invalidRequest("starting_after must be a sequence number (an integer of 0 or more)");
  return streamResponse(tokenwire, { id, startingAfter }, request);
}

// The input items of a response are the conversation its note keeps, which is there from its first event on.
async function inputItems(tokenwire: Tokenwire, { segment, query }: { segment: string; query: URLSearchParams }, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const responseId = responseIdOf(segment);
  const { conversation } = await readKeptResponse(tokenwire, { id: responseId, upTo: "now" }, request);
  return dialect.jsonReply(200, inputItemList({ responseId, conversation, query }));
}

// A cancel stops the generation wherever it runs, then answers the response as its log ends: `cancelled`, with what
// it had written. Cancelling again, or a response that had ended, answers it as it ended.
async function cancel(tokenwire: Tokenwire, segment: string, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const id = responseIdOf(segment);
  await tokenwire.stopStream(id, dialect.contextOf(request, protocol));
  return dialect.jsonReply(200, await readResponse(tokenwire, { id, upTo: "end" }, request));
}

// A delete forgets the response at once, wherever the log is shared: a read, a resume, its input items and a response
// that follows it then find it no more than an unknown id. One still generating is stopped first, as a cancel stops it.
async function remove(tokenwire: Tokenwire, segment: string, request: dialect.DialectRequest): Promise<dialect.DialectReply> {
  const id = responseIdOf(segment);
  await tokenwire.deleteStream(id, dialect.contextOf(request, protocol));
  return dialect.jsonReply(200, { id, object: "response", deleted: true });
}
