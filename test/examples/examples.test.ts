import { spawn, type ChildProcess, execFile } from "node:child_process";
import { connect, createServer } from "node:net";
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
import { runTokenwireCli } from "../fixtures/tokenwire-cli.ts";
import { codeBlock, codeBlocks, docPages, docSection } from "../support/docs.ts";
import { readAll } from "../support/read-stream.ts";
import { deltaTextOf } from "../support/stream-text.ts";

const root = resolve(import.meta.dirname, "../..");
let packed: PackedPackage;
const children: ChildProcess[] = [];

beforeAll(async () => {
  packed = await packPackage();
  await copyFile(join(root, "examples/fetch.ts"), join(packed.dir, "fetch.ts"));
}, 120_000);
afterAll(async () => {
  for (const child of children) stopGroup(child);
  await packed?.remove();
});

// An example runs under npm in a process group of its own; a group already gone (ESRCH) has nothing left to stop.
function stopGroup(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function replyText(transport: Transport, prompt: string): Promise<string> {
  return deltaTextOf(await readAll(createClient(TokenService, transport).streamTokens({ generation: { input: { case: "prompt", value: prompt } } })));
}

/** An example listening, as `npm run example` started it: its URL, what it printed, and how to stop it. */
interface RunningExample {
  baseUrl: string;
  port: number;
  output: string;
  stop(): void;
}

// Starts an example as the README says to, `npm run example -- <name>`, with PORT=0 and no HOST unless given, and
// reads the port from the line it logs. It runs in a process group of its own (npm, its shell and the example),
// which is ended as one.
async function runExample(name: string, env: Record<string, string> = {}): Promise<RunningExample> {
  const child = spawn("npm", ["run", "example", "--", name], { cwd: root, env: { ...process.env, HOST: undefined, PORT: "0", ...env }, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on("data", (chunk: Buffer) => {
      output += chunk;
      const port = /port: (\d+)|:(\d+)\s*$/m.exec(output);
      if (port) resolve(Number(port[1] ?? port[2]));
    });
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    child.once("exit", (code) => reject(new Error(`npm run example -- ${name} exited with ${code}: ${output}`)));
  });
  return { baseUrl: `http://${env.HOST ?? "127.0.0.1"}:${port}`, port, output, stop: () => stopGroup(child) };
}

/** Runs `npm run example -- <name>` to its end, which for a server is a failure: its exit code and stderr without npm's own lines. */
function failedExample(name: string, env: Record<string, string | undefined>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile("npm", ["run", "--silent", "example", "--", name], { cwd: root, env: { ...process.env, PORT: "0", ...env } }, (_error, _stdout, stderr) =>
      resolve({ code: child.exitCode, stderr: stderr.replace("building dist/ first (npm run build)\n", "") }),
    );
  });
}

// Whether anything accepts a connection at host:port.
function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => (socket.destroy(), resolve(true)));
    socket.once("error", () => resolve(false));
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
    "tokenwire/redis": ["createRedisStreamLog"],
    "tokenwire/openai": ["tokenwireOpenAIHandler", "tokenwireOpenAIFetchHandler", "createChatCompletionSink"],
    "tokenwire/ai-sdk": ["tokenwireUIMessageHandler", "tokenwireUIMessageFetchHandler", "createUIMessageStreamSink"],
  };

  it.each(Object.entries(subpaths))("should import %s with plain Node", async (subpath, names) => {
    const script = `const m = await import(${JSON.stringify(subpath)}); console.log(JSON.stringify(Object.keys(m)))`;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script], { cwd: packed.dir });
    expect(JSON.parse(stdout)).toEqual(expect.arrayContaining(names));
  });

  it("should ship declarations beside each entry point and no sources or tests", () => {
    for (const entry of ["index", "adapters/connect/index", "adapters/node/index", "adapters/fetch/index", "adapters/express/index", "adapters/fastify/index", "adapters/redis/index", "server/index"]) {
      expect(packed.files).toContain(`dist/${entry}.js`);
      expect(packed.files).toContain(`dist/${entry}.d.ts`);
    }
    expect(packed.files).toContain("gen/tokenwire/v1/token_service_pb.js");
    expect(packed.files.filter((file) => /^(src|test|examples|web)\//.test(file))).toEqual([]);
  });

  it("should ship the license, the changelog, the README and the pages of docs/", async () => {
    expect(packed.files).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md", ...docPages().filter((page) => page.startsWith("docs/"))]));
    expect(await readFile(join(packed.dir, "node_modules/tokenwire/LICENSE"), "utf8")).toContain("Apache License\n                           Version 2.0, January 2004");
  });

  // A dynamic import may load a dev dependency where one is installed, as a checkout's page bundler does.
  it("should import statically nothing but Node's modules and the package's dependencies and peer dependencies", async () => {
    const manifest = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as Record<"dependencies" | "peerDependencies", Record<string, string>>;
    const declared = new Set([...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)]);
    const imported = new Set<string>();
    for (const file of packed.files.filter((path) => path.endsWith(".js") && !path.startsWith("dist/web/"))) {
      const code = await readFile(join(packed.dir, "node_modules/tokenwire", file), "utf8");
      for (const [, from, bare] of code.matchAll(/^(?:import|export)\s[^;]*?\bfrom\s*"([^"./][^"]*)";$|^import\s*"([^"./][^"]*)";$/gm)) {
        const specifier = from ?? bare!;
        if (!specifier.startsWith("node:")) imported.add(specifier.split("/").slice(0, specifier.startsWith("@") ? 2 : 1).join("/"));
      }
    }
    expect(imported.size).toBeGreaterThan(5);
    expect([...imported].filter((name) => !declared.has(name))).toEqual([]);
  });
});

/** What `tokenwire ask` prints for a protocol the server's HTTP version cannot carry. */
const mismatch = {
  grpc: (url: string) => `error: unavailable: the server at ${url} does not speak HTTP/2, which gRPC needs: try -p connect or -p grpc-web\n`,
  http1: (url: string, protocol: string) => `error: unavailable: the server at ${url} speaks HTTP/2 only, and tokenwire ask sends ${protocol} over HTTP/1.1: try -p grpc\n`,
};

describe.each([
  ["tokenwireNodeHandler()", "node-http"],
  ["tokenwireExpressMiddleware()", "express"],
])("%s", (_, name) => {
  let baseUrl: string;
  beforeAll(async () => {
    ({ baseUrl } = await runExample(name));
  }, 120_000);

  it(`should serve Connect and gRPC-Web over HTTP/1.1 beside the app, from npm run example -- ${name}`, async () => {
    expect(await replyText(createConnectTransport({ baseUrl, httpVersion: "1.1" }), `from ${name}`)).toBe(expected(`from ${name}`));
    expect(await replyText(createGrpcWebTransport({ baseUrl, httpVersion: "1.1" }), "over grpc-web")).toBe(expected("over grpc-web"));
    expect(await (await fetch(baseUrl)).text()).toBe("your app\n");
  });

  it("should tell tokenwire ask -p grpc that the server does not speak HTTP/2", async () => {
    expect(await runTokenwireCli(["ask", "-p", "grpc", "hi"], { url: baseUrl })).toEqual({ code: 1, stdout: "", stderr: mismatch.grpc(baseUrl) });
  });
});

describe("tokenwireFastifyPlugin()", () => {
  let baseUrl: string;
  beforeAll(async () => {
    ({ baseUrl } = await runExample("fastify"));
  }, 120_000);

  it("should serve gRPC, Connect and gRPC-Web over HTTP/2, from npm run example -- fastify", async () => {
    expect(await replyText(createGrpcTransport({ baseUrl }), "from fastify")).toBe(expected("from fastify"));
    expect(await replyText(createConnectTransport({ baseUrl, httpVersion: "2" }), "over connect")).toBe(expected("over connect"));
    expect(await replyText(createGrpcWebTransport({ baseUrl, httpVersion: "2" }), "over grpc-web")).toBe(expected("over grpc-web"));
  });

  it.each([
    ["connect", "Connect"],
    ["grpc-web", "gRPC-Web"],
  ])("should tell tokenwire ask -p %s, sent over HTTP/1.1, that the server speaks HTTP/2 only", async (protocol, name) => {
    expect(await runTokenwireCli(["ask", "-p", protocol, "hi"], { url: baseUrl })).toEqual({ code: 1, stdout: "", stderr: mismatch.http1(baseUrl, name) });
  });
});

describe.each(["node-http", "express", "fastify"])("npm run example -- %s", (name) => {
  it("should listen on 127.0.0.1 unless HOST says otherwise, and on that address alone", async () => {
    const byDefault = await runExample(name);
    byDefault.stop();
    expect(byDefault.output).toMatch(/address: '127\.0\.0\.1'|http:\/\/127\.0\.0\.1:/);
    const elsewhere = await runExample(name, { HOST: "127.0.0.2" });
    expect([await accepts("127.0.0.2", elsewhere.port), await accepts("127.0.0.1", elsewhere.port)]).toEqual([true, false]);
    elsewhere.stop();
  }, 60_000);

  it("should say in its first line why it failed when its port is taken", async () => {
    const taken = createServer().listen(0, "127.0.0.1");
    await new Promise((resolve) => taken.once("listening", resolve));
    const { port } = taken.address() as { port: number };
    const run = await failedExample(name, { PORT: String(port) });
    taken.close();
    expect(run.code).toBe(1);
    expect(run.stderr.split("\n")[0]).toBe(`examples/${name}.ts failed: listen EADDRINUSE: address already in use 127.0.0.1:${port}`);
  }, 60_000);
});

describe("npm run example -- agent", () => {
  it("should say in its first line why it failed, with the cause an internal error wraps, when OPENAI_API_KEY is unset", async () => {
    const upstream = await startFakeOpenAI();
    try {
      const run = await failedExample("agent", { OPENAI_API_KEY: undefined, OPENAI_BASE_URL: upstream.url });
      expect(run.code).toBe(1);
      expect(run.stderr.split("\n")[0]).toMatch(/^examples\/agent\.ts failed: internal error: Missing credentials\. .*OPENAI_API_KEY/);
      expect(run.stderr.split("\n")[1]).toMatch(/^ {4}at /);
    } finally {
      await upstream.close();
    }
  }, 60_000);
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

describe("the documentation's examples", () => {
  it("should run the README's opening for-await example against an OpenAI-compatible server", async () => {
    await writeFile(join(packed.dir, "readme-example.ts"), codeBlock("README.md", "# tokenwire", "ts"));
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

  it("should stream examples/agent.ts, shown whole in docs/in-process.md: the tool call, its result and the answer", async () => {
    const agent = await readFile(join(root, "examples/agent.ts"), "utf8");
    expect(codeBlocks(docSection("docs/in-process.md", "# In process"), "ts")).toContain(agent);
    const upstream = await startFakeOpenAI();
    try {
      const env = { ...process.env, OPENAI_API_KEY: "sk-test", OPENAI_BASE_URL: upstream.url, OPENAI_MODEL: "agent" };
      const { stdout } = await promisify(execFile)("npm", ["run", "-s", "example", "--", "agent"], { cwd: root, env });
      expect(stdout).toContain('→ get_weather({"city":"Paris"}) from agent');
      expect(stdout).toContain("← Sunny in Paris, 21 °C");
      expect(stdout).toContain("The tool says: Sunny in Paris, 21 °C");
      expect(stdout).toMatch(/\nstop \{ inputTokens: \d+/);
    } finally {
      await upstream.close();
    }
  });

  it.each([
    ["tokenwireNodeHandler", "node-http.ts"],
    ["tokenwireExpressMiddleware", "express.ts"],
    ["tokenwireFastifyPlugin", "fastify.ts"],
    ["tokenwireFetchHandler", "fetch.ts"],
  ])("should show %s() in docs/embedding.md with the code of examples/%s", async (fn, file) => {
    const diff = codeBlock("docs/embedding.md", `## ${fn}()`, "diff");
    const after = diff.split("\n").filter((line) => !line.startsWith("-")).map((line) => line.slice(1)).join("\n");
    expect(after).toBe(await readFile(join(root, "examples", file), "utf8"));
  });
});
