import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { FieldDescriptorProto_Label as Label, FieldDescriptorProto_Type as Type, FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const root = fileURLToPath(new URL("../../", import.meta.url));

// The seed's wire contract, restated: a client generated from the seed's own .proto
// must call tokenwire unchanged, so every name, number and type below is fixed.
// Message has no field 1: the seed numbers content 2 and params 3.
const seedMessages = [
  { name: "Message", fields: [field("content", 2, Type.STRING), field("params", 3, ".openai.Params")] },
  { name: "Answer", fields: [field("error", 1, Type.STRING), field("content", 2, Type.STRING)] },
  { name: "Params", fields: [field("model", 1, Type.STRING), field("temperature", 2, Type.FLOAT)] },
];

// A scalar field, or a message field when given the message's full name.
function field(name: string, number: number, type: Type | `.${string}`) {
  const [kind, typeName] = typeof type === "string" ? [Type.MESSAGE, type] : [type, ""];
  return { name, number, type: kind, typeName, label: Label.OPTIONAL, proto3Optional: false };
}

// Compiled with buf, as `npm run generate` compiles it, so the test reads what clients get, not the text.
function compiledChatgptProto() {
  const dir = mkdtempSync(join(tmpdir(), "tokenwire-proto-"));
  try {
    const out = join(dir, "image.binpb");
    const args = ["build", "proto", "--path", "proto/openai/chatgpt.proto", "--exclude-source-info", "--exclude-imports", "-o", out];
    execFileSync(join(root, "node_modules/.bin/buf"), args, { cwd: root });
    const [file] = fromBinary(FileDescriptorSetSchema, readFileSync(out)).file;
    return file!;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("proto/openai/chatgpt.proto", () => {
  const file = compiledChatgptProto();

  it("should declare the seed's package in proto3 and import nothing", () => {
    expect(file.package).toBe("openai");
    expect(file.syntax).toBe("proto3");
    expect(file.dependency).toEqual([]);
    expect(file.enumType).toEqual([]);
  });

  it("should offer the seed's one server-streaming method, Chatgpt.Send from Message to a stream of Answer", () => {
    expect(file.service.map((service) => service.name)).toEqual(["Chatgpt"]);
    const methods = file.service[0]!.method.map(({ name, inputType, outputType, clientStreaming, serverStreaming }) => ({
      name,
      inputType,
      outputType,
      clientStreaming,
      serverStreaming,
    }));
    expect(methods).toEqual([{ name: "Send", inputType: ".openai.Message", outputType: ".openai.Answer", clientStreaming: false, serverStreaming: true }]);
  });

  it("should hold exactly the seed's messages, with the seed's field names, numbers and types", () => {
    const messages = file.messageType.map((message) => ({
      name: message.name,
      fields: message.field.map(({ name, number, type, typeName, label, proto3Optional }) => ({ name, number, type, typeName, label, proto3Optional })),
    }));
    expect(messages).toEqual(seedMessages);
    expect(file.messageType.flatMap((message) => [...message.nestedType, ...message.enumType, ...message.oneofDecl])).toEqual([]);
  });
});
