import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { fileURLToPath } from "node:url";

const protoRoot = fileURLToPath(new URL("../../proto/", import.meta.url));

/** Options of {@link createGrpcJsClient}. */
export interface GrpcJsClientOptions {
  /** A `.proto` file under `proto/`, such as `openai/chatgpt.proto`. */
  file: string;
  /** The service's full name, such as `openai.Chatgpt`. */
  service: string;
  /** `host:port`. */
  target: string;
  /** How the channel is secured; default plain text. */
  credentials?: grpc.ChannelCredentials;
}

/** A grpc-js client of one service, with its server-streaming methods called by name. */
export interface GrpcJsClient {
  stream<M>(method: string, request: object, options?: grpc.CallOptions): grpc.ClientReadableStream<M>;
  close(): void;
}

/**
 * A grpc-js client built from the `.proto` text at run time by proto-loader,
 * sharing nothing with the server's generated code. Field names stay as the
 * `.proto` spells them; 64-bit integers and enums arrive as strings.
 */
export function createGrpcJsClient(options: GrpcJsClientOptions): GrpcJsClient {
  const definition = protoLoader.loadSync(options.file, { includeDirs: [protoRoot], keepCase: true, longs: String, enums: String, defaults: true, oneofs: true });
  const scope = options.service.split(".").reduce<unknown>((names, name) => (names as Record<string, unknown>)[name], grpc.loadPackageDefinition(definition));
  const client = new (scope as grpc.ServiceClientConstructor)(options.target, options.credentials ?? grpc.credentials.createInsecure());
  return {
    stream: (method, request, callOptions = {}) => (client[method] as (r: object, o: grpc.CallOptions) => never)(request, callOptions),
    close: () => client.close(),
  };
}

/** What a server-streaming call delivered, and the status it ended with. */
export interface StreamOutcome<M> {
  messages: M[];
  status: grpc.StatusObject;
}

/** Collects a server stream's messages until its status arrives; `onMessage` sees each as it comes. */
export function collectStream<M>(call: grpc.ClientReadableStream<M>, onMessage?: (message: M) => void): Promise<StreamOutcome<M>> {
  const messages: M[] = [];
  return new Promise((resolve) => {
    call.on("data", (message: M) => {
      messages.push(message);
      onMessage?.(message);
    });
    // A non-OK status is also emitted as `error`; listening keeps it from being thrown.
    call.on("error", () => {});
    call.on("status", (status: grpc.StatusObject) => resolve({ messages, status }));
  });
}

/**
 * The status message as sent. grpc-js decodes `grpc-message` with
 * `decodeURI`, which leaves `%3B`, `%3A`, `%2C` and the like encoded, while
 * connect-node encodes it with `encodeURIComponent`; the gRPC spec allows
 * either encoding, so the leftovers are decoded here.
 * See node_modules/@grpc/grpc-js/build/src/subchannel-call.js (`decodeURI(messageString)`).
 */
export function statusMessage(status: grpc.StatusObject): string {
  try {
    return decodeURIComponent(status.details);
  } catch {
    return status.details;
  }
}
