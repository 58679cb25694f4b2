import { spawn, type ChildProcess, execFile } from "node:child_process";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import * as web from "@connectrpc/connect-web";
import { HumanMessage } from "@langchain/core/messages";
import { TokenService } from "../../gen/tokenwire/v1/token_service_pb.js";
import { localReply } from "../../src/models/local-chat-model.ts";
import { defaultTokens, startFakeOpenAI } from "../fixtures/fake-openai.ts";
import { packPackage, type PackedPackage } from "../fixtures/packed-package.ts";

const root = resolve(import.meta.dirname, "../..");
const examples = ["node-http.ts", "express.ts", "fastify.ts", "fetch.ts"];
let packed: PackedPackage;
const children: ChildProcess[] = [];

beforeAll(async () => {
  packed = await packPackage();
  for (const file of examples) await copyFile(join(root, "examples", file), join(packed.dir, file));
}, 120_000);
afterAll(async () => {
  for (const child of children) child.kill();
  await packed?.remove();
});

async function replyText(transport: Transport, prompt: string): Promise<string> {
  let text = "";
  for await (const res of createClient(TokenService, transport).streamTokens({ generation: { input: { case: "prompt", value: prompt } } })) {
    if (res.event.case === "delta") text += res.event.value.text;
  }
  return text;
}

// Starts an example as its own process on port 0 and reads the port from the line it logs.
async function startExample(file: string): Promise<number> {
  const child = spawn(process.execPath, [file], { cwd: packed.dir, env: { ...process.env, PORT: "0" }, stdio: ["ignore", "pipe", "inherit"] });
  children.push(child);
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const port = /port: (\d+)|:(\d+)\s*$/m.exec(output);
      if (port) resolve(Number(port[1] ?? port[2]));
    });
    child.once("exit", (code) => reject(new Error(`${file} exited with ${code}: ${output}`)));
  });
}

function expected(prompt: string): string {
  return localReply([new HumanMessage(prompt)]);
}

describe("package exports", () => {
  const subpaths: Record<string, string[]> = {
    tokenwire: ["createTokenwire", "streamTokens", "produceTokens", "tokenwireFrom", "messagesInput", "TokenwireError", "createModelCatalog", "LocalChatModel", "modelsFromEnv", "openAIModelFactory"],
    "tokenwire/connect": ["tokenwireRoutes"],
    "tokenwire/node": ["tokenwireNodeHandler", "createOnePortServer", "withCors"],
    "tokenwire/server": ["createTokenwireServer"],
    "tokenwire/fetch": ["tokenwireFetchHandler"],
    "tokenwire/express": ["tokenwireExpressMiddleware"],
    "tokenwire/fastify": ["tokenwireFastifyPlugin"],
  };

  it.each(Object.entries(subpaths))("should import %s with plain Node", async (subpath, names) => {
    const script = `const m = await import(${JSON.stringify(subpath)}); console.log(JSON.stringify(Object.keys(m)))`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: packed.dir });
    expect(JSON.parse(stdout)).toEqual(expect.arrayContaining(names));
  });

  it("should ship declarations beside each entry point and no sources or tests", () => {
    for (const entry of ["index", "adapters/connect/index", "adapters/node/index", "adapters/fetch/index", "adapters/express/index", "adapters/fastify/index", "server/index"]) {
      expect(packed.files).toContain(`dist/${entry}.js`);
      expect(packed.files).toContain(`dist/${entry}.d.ts`);
    }
    expect(packed.files).toContain("gen/tokenwire/v1/token_service_pb.js");
    expect(packed.files.filter((file) => /^(src|test|examples|web)\//.test(file))).toEqual([]);
  });
});

describe.each([
  ["tokenwireNodeHandler()", "node-http.ts"],
  ["tokenwireExpressMiddleware()", "express.ts"],
])("%s", (_, file) => {
  it(`should serve examples/${file} over Connect and gRPC-Web beside the app`, async () => {
    const baseUrl = `http://127.0.0.1:${await startExample(file)}`;
    expect(await replyText(createConnectTransport({ baseUrl, httpVersion: "1.1" }), `from ${file}`)).toBe(expected(`from ${file}`));
    expect(await replyText(createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }), "over grpc-web")).toBe(expected("over grpc-web"));
    expect(await (await fetch(baseUrl)).text()).toBe("your app\n");
  });
});

describe("tokenwireFastifyPlugin()", () => {
  it("should serve examples/fastify.ts over gRPC and Connect on HTTP/2", async () => {
    const baseUrl = `http://127.0.0.1:${await startExample("fastify.ts")}`;
    expect(await replyText(createGrpcTransport({ baseUrl }), "from fastify")).toBe(expected("from fastify"));
    expect(await replyText(createConnectTransport({ baseUrl, httpVersion: "2" }), "over connect")).toBe(expected("over connect"));
  });
});

describe("tokenwireFetchHandler()", () => {
  it("should serve examples/fetch.ts over Connect and gRPC-Web, and the app otherwise", async () => {
    const example = (await import(pathToFileURL(join(packed.dir, "fetch.ts")).href)) as typeof import("../../examples/fetch.ts");
    const handler = example.default.fetch;
    const viaHandler = (input: RequestInfo | URL, init?: RequestInit) => handler(new Request(input, init));
    const baseUrl = "http://tokenwire.test";
    expect(await replyText(web.createConnectTransport({ baseUrl, fetch: viaHandler }), "from fetch")).toBe(expected("from fetch"));
    expect(await replyText(web.createGrpcWebTransport({ baseUrl, fetch: viaHandler }), "over grpc-web")).toBe(expected("over grpc-web"));
    expect(await (await handler(new Request(`${baseUrl}/`))).text()).toBe("your app\n");
    await expect.poll(() => example.tokenwire.openStreams).toBe(0);
  });
});

describe("README", () => {
  it("should run the opening for-await example against an OpenAI-compatible server", async () => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    await writeFile(join(packed.dir, "readme-example.ts"), /```ts\n([\s\S]*?)```/.exec(readme)![1]!);
    const upstream = await startFakeOpenAI();
    try {
      // The OpenAI client reads its key and base URL from the environment, as in any deployment.
      const env = { ...process.env, OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: upstream.url };
      const { stdout } = await promisify(execFile)(process.execPath, ["readme-example.ts"], { cwd: packed.dir, env });
      expect(stdout).toContain(defaultTokens.join(""));
      expect(stdout).toMatch(/stop \{ inputTokens: 7, outputTokens: 10, totalTokens: 17 \}/);
    } finally {
      await upstream.close();
    }
  });

  it.each([
    ["tokenwireNodeHandler", "node-http.ts"],
    ["tokenwireExpressMiddleware", "express.ts"],
    ["tokenwireFastifyPlugin", "fastify.ts"],
    ["tokenwireFetchHandler", "fetch.ts"],
  ])("should show %s() with the code of examples/%s", async (fn, file) => {
    const readme = await readFile(join(root, "README.md"), "utf8");
    const diff = new RegExp(`## ${fn}\\(\\)[\\s\\S]*?\`\`\`diff\\n([\\s\\S]*?)\`\`\``).exec(readme)?.[1] ?? "";
    const after = diff.split("\n").filter((line) => !line.startsWith("-")).map((line) => line.slice(1)).join("\n");
    expect(after).toBe(await readFile(join(root, "examples", file), "utf8"));
  });
});
