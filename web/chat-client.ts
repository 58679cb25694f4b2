import { createClient, type Client, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { TokenService } from "../gen/tokenwire/v1/token_service_pb.js";

export type TokenClient = Client<typeof TokenService>;

// `?server=http://host:port` points a page served elsewhere at a tokenwire server (which must allow its origin).
const baseUrl = new URLSearchParams(location.search).get("server") ?? location.origin;

/** A TokenService client over `connect` or `grpc-web`. */
export function tokenClient(transport: string): TokenClient {
  const wire: Transport = transport === "grpc-web" ? createGrpcWebTransport({ baseUrl }) : createConnectTransport({ baseUrl });
  return createClient(TokenService, wire);
}

/** The models a server offers, and the one it uses for a request that names none. */
export interface ModelOffer {
  models: string[];
  /** Empty when the server did not say: an empty model name asks for its default. */
  defaultModel: string;
  /** Whether a name outside `models` may be asked for. */
  acceptsAnyModel: boolean;
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
  } catch {
    return { models: [], defaultModel: "", acceptsAnyModel: true };
  }
}
