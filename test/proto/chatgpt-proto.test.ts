import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";

const seedArticle = new URL("../../../shared/seeds/001_c783e7d39b15d6f3.txt", import.meta.url);

// The .proto text as the seed article prints it: from `syntax` to the closing brace of `Params`.
function seedProtoText(): string {
  const article = readFileSync(seedArticle, "utf8");
  const match = /syntax = "proto3";[\s\S]*?message Params \{[^}]*\}/.exec(article);
  if (!match) throw new Error("the seed article no longer holds its .proto");
  return `${match[0]}\n`;
}

function descriptorOf(moduleDir: string) {
  const out = join(mkdtempSync(join(tmpdir(), "tokenwire-proto-")), "image.binpb");
  execFileSync("npx", ["buf", "build", moduleDir, "--path", join(moduleDir, "openai/chatgpt.proto"), "--exclude-source-info", "--exclude-imports", "-o", out]);
  const [file] = fromBinary(FileDescriptorSetSchema, readFileSync(out)).file;
  return file;
}

describe("proto/openai/chatgpt.proto", () => {
  it("should compile to the same descriptor as the seed's text", () => {
    const seedDir = mkdtempSync(join(tmpdir(), "tokenwire-seed-"));
    mkdirSync(join(seedDir, "openai"));
    writeFileSync(join(seedDir, "openai/chatgpt.proto"), seedProtoText());
    const seed = descriptorOf(seedDir);
    const ours = descriptorOf("proto");
    expect(seed?.package).toBe("openai");
    expect(ours).toEqual(seed);
  });
});
