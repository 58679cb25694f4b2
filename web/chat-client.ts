import { ConnectError, createClient, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { TokenService } from "../gen/tokenwire/v1/token_service_pb.js";

export type TokenClient = Client<typeof TokenService>;

/**
 * The tokenwire server the page calls: the one that serves it, unless the
 * page's HTML names another in `<meta name="tokenwire-server">` (a copy of
 * the page served elsewhere; that server must allow its origin). Never the
 * page's address: a link could then send the reader's API key anywhere.
 */
export const serverUrl = serverOf(document.querySelector<HTMLMetaElement>('meta[name="tokenwire-server"]')?.content);

function serverOf(named: string | undefined): string {
  if (!named) return location.origin;
  try {
    const url = new URL(named, location.href);
    if (url.protocol === "http:" || url.protocol === "https:") return url.href.replace(/\/$/, "");
  } catch {
    // an address that does not parse names no server: the page's own
  }
  return location.origin;
}

/** Options of {@link tokenClient}. */
export interface TokenClientOptions {
  /** `connect` or `grpc-web`. */
  transport: string;
  /** The API key to send with each call, read as the call starts; none when undefined. */
  apiKey: () => string | undefined;
}

/** A TokenService client of {@link serverUrl} that sends the API key, when there is one, on every call. */
export function tokenClient({ transport, apiKey }: TokenClientOptions): TokenClient {
  const options = { baseUrl: serverUrl, interceptors: [bearer(apiKey)] };
  const wire: Transport = transport === "grpc-web" ? createGrpcWebTransport(options) : createConnectTransport(options);
  return createClient(TokenService, wire);
}

function bearer(apiKey: () => string | undefined): Interceptor {
  return (next) => (request) => {
    const key = apiKey();
    if (key) request.header.set("authorization", `Bearer ${key}`);
    return next(request);
  };
}

/** The models a server offers, and the one it uses for a request that names none. */
export interface ModelOffer {
  models: string[];
  /** Empty when the server did not say: an empty model name asks for its default. */
  defaultModel: string;
  /** Whether a name outside `models` may be asked for. */
  acceptsAnyModel: boolean;
  /** Why the server did not answer, when it did not. */
  failure?: ConnectError;
}

/**
 * Asks the server which models it offers. A server without ListModels, or
 * one that does not answer, still serves its default model: the page then
 * offers that default, and any name typed by hand for the server to judge.
 */
export async function modelOffer(client: TokenClient): Promise<ModelOffer> {
  try {
    const offer = await client.listModels({}, { timeoutMs: 5000 });
    return { models: offer.models.map((model) => model.name), defaultModel: offer.defaultModel, acceptsAnyModel: offer.acceptsAnyModel };
  } catch (reason) {
    return { models: [], defaultModel: "", acceptsAnyModel: true, failure: ConnectError.from(reason) };
  }
}
