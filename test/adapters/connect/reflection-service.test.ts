import { describe, expect, it } from "vitest";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { create, createFileRegistry, fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { useTokenwireServer } from "../../support/tokenwire-test-server.ts";

const test = useTokenwireServer();

interface Answer {
  list_services_response?: { service: { name: string }[] };
  file_descriptor_response?: { file_descriptor_proto: Buffer[] };
  error_response?: { error_code: number; error_message: string };
}

interface ReflectionClient extends grpc.Client {
  ServerReflectionInfo(): grpc.ClientDuplexStream<object, Answer>;
}

// A client built from @grpc/reflection's own .proto files: it shares nothing with the server's generated code.
function reflectionClient(version: "v1" | "v1alpha") {
  const path = new URL(`../../../node_modules/@grpc/reflection/build/proto/grpc/reflection/${version}/reflection.proto`, import.meta.url).pathname;
  const loaded = grpc.loadPackageDefinition(protoLoader.loadSync(path, { keepCase: true, defaults: true })) as never as {
    grpc: { reflection: Record<string, { ServerReflection: grpc.ServiceClientConstructor }> };
  };
  const Client = loaded.grpc.reflection[version]!.ServerReflection;
  return new Client(new URL(test.current.baseUrl).host, grpc.credentials.createInsecure()) as unknown as ReflectionClient;
}

/** Sends each request on one stream and collects the answers in order. */
async function ask(version: "v1" | "v1alpha", requests: object[]): Promise<Answer[]> {
  const client = reflectionClient(version);
  try {
    const call = client.ServerReflectionInfo();
    const answers: Answer[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (answer: Answer) => answers.push(answer));
      call.on("error", reject);
      call.on("end", resolve);
    });
    for (const request of requests) call.write(request);
    call.end();
    await done;
    return answers;
  } finally {
    client.close();
  }
}

function fileNames(answer: Answer | undefined): string[] {
  return (answer?.file_descriptor_response?.file_descriptor_proto ?? []).map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes).name);
}

describe.each(["v1", "v1alpha"] as const)("reflectionRoutes() %s", (version) => {
  it("should list every service the server offers", async () => {
    const [answer] = await ask(version, [{ list_services: "" }]);
    expect(answer?.list_services_response?.service.map((s) => s.name).sort()).toEqual([
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "grpc.reflection.v1alpha.ServerReflection",
      "openai.Chatgpt",
      "tokenwire.v1.TokenService",
    ]);
  });

  it("should answer file_containing_symbol with the file and every file it imports, complete enough to build a registry", async () => {
    const [answer] = await ask(version, [{ file_containing_symbol: "tokenwire.v1.TokenService" }]);
    expect(fileNames(answer)).toEqual(["tokenwire/v1/token_service.proto", "tokenwire/v1/generation.proto"]);
    const file = answer!.file_descriptor_response!.file_descriptor_proto.map((bytes) => fromBinary(FileDescriptorProtoSchema, bytes));
    // A FileDescriptorSet lists imports before the files that import them.
    const registry = createFileRegistry(create(FileDescriptorSetSchema, { file: file.reverse() }));
    expect(registry.getService("tokenwire.v1.TokenService")?.methods.map((m) => m.name)).toEqual(["StreamTokens", "StreamRunEvents", "Generate", "ListModels", "ResumeStream", "StopStream"]);
    expect(registry.getMessage("tokenwire.v1.Generation")).toBeDefined();
  });

  it.each([
    ["a method", { file_containing_symbol: "openai.Chatgpt.Send" }, "openai/chatgpt.proto"],
    ["a message", { file_containing_symbol: "tokenwire.v1.Generation" }, "tokenwire/v1/generation.proto"],
    ["a file name", { file_by_filename: "openai/chatgpt.proto" }, "openai/chatgpt.proto"],
  ])("should find the file of %s", async (_, request, name) => {
    const [answer] = await ask(version, [request]);
    expect(fileNames(answer)[0]).toBe(name);
  });

  it("should answer what it does not know with an ErrorResponse and keep the stream open", async () => {
    const answers = await ask(version, [{ file_containing_symbol: "no.Such" }, { file_by_filename: "no.proto" }, { list_services: "" }]);
    expect(answers.slice(0, 2).map((a) => a.error_response?.error_code)).toEqual([grpc.status.NOT_FOUND, grpc.status.NOT_FOUND]);
    expect(answers[0]?.error_response?.error_message).toContain("no.Such");
    expect(answers[2]?.list_services_response?.service.length).toBeGreaterThan(0);
  });
});
