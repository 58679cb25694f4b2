import { Code, type ConnectRouter } from "@connectrpc/connect";
import { ServerReflection, type ServerReflectionRequest } from "../../../gen/grpc/reflection/v1/reflection_pb.js";
import {
  ServerReflection as ServerReflectionV1alpha,
  type ServerReflectionRequest as ServerReflectionRequestV1alpha,
} from "../../../gen/grpc/reflection/v1alpha/reflection_pb.js";
import { createDescriptorIndex, type DescriptorIndex } from "./descriptor-index.ts";

type ReflectionRequest = ServerReflectionRequest | ServerReflectionRequestV1alpha;

/**
 * Registers gRPC server reflection, v1 and v1alpha (the same messages under two
 * names), describing every service on the router, so grpcurl and similar tools
 * work without `.proto` files. Register it after the services it describes.
 */
export function reflectionRoutes() {
  return (router: ConnectRouter): void => {
    let index: DescriptorIndex | undefined;
    // Built on the first call, when every route is on the router.
    const describe = () => (index ??= createDescriptorIndex(router.handlers.map((handler) => handler.service)));
    async function* serverReflectionInfo(requests: AsyncIterable<ReflectionRequest>) {
      for await (const request of requests) yield reflectionAnswer(request, describe());
    }
    router.service(ServerReflection, { serverReflectionInfo });
    router.service(ServerReflectionV1alpha, { serverReflectionInfo });
  };
}

/**
 * Answers one reflection request; what it cannot answer becomes an
 * `ErrorResponse` on the stream, which stays open for the next request.
 * @internal
 */
export function reflectionAnswer(request: ReflectionRequest, index: DescriptorIndex) {
  return { validHost: request.host, originalRequest: plainRequest(request), messageResponse: messageResponse(request, index) };
}

function messageResponse({ messageRequest }: ReflectionRequest, index: DescriptorIndex) {
  switch (messageRequest.case) {
    case "listServices":
      return { case: "listServicesResponse" as const, value: { service: index.services.map((name) => ({ name })) } };
    case "fileByFilename":
      return files(index.fileByName(messageRequest.value), `file "${messageRequest.value}"`);
    case "fileContainingSymbol":
      return files(index.fileBySymbol(messageRequest.value), `symbol "${messageRequest.value}"`);
    case "fileContainingExtension":
      // The served files declare no extensions.
      return failure(Code.NotFound, `no extension ${messageRequest.value.extensionNumber} of "${messageRequest.value.containingType}"`);
    case "allExtensionNumbersOfType":
      if (!index.hasMessage(messageRequest.value)) return failure(Code.NotFound, `unknown type "${messageRequest.value}"`);
      return { case: "allExtensionNumbersResponse" as const, value: { baseTypeName: messageRequest.value, extensionNumber: [] } };
    default:
      return failure(Code.InvalidArgument, "the request asks for nothing");
  }
}

function files(found: Uint8Array[] | undefined, what: string) {
  if (!found) return failure(Code.NotFound, `${what} not found`);
  return { case: "fileDescriptorResponse" as const, value: { fileDescriptorProto: found } };
}

function failure(errorCode: Code, errorMessage: string) {
  return { case: "errorResponse" as const, value: { errorCode, errorMessage } };
}

// Echoes the request without its message type, so one answer fits both versions.
function plainRequest({ host, messageRequest }: ReflectionRequest) {
  if (messageRequest.case !== "fileContainingExtension") return { host, messageRequest };
  const { containingType, extensionNumber } = messageRequest.value;
  return { host, messageRequest: { case: messageRequest.case, value: { containingType, extensionNumber } } };
}
