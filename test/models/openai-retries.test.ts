import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openAIModelFactory } from "../../src/models/openai-model.ts";

// An upstream that fails every request with the status its path names (`/429/v1`), after a Retry-After
// when the path carries one (`/429-after-0/v1`), and counts the requests of each path.
let server: Server;
let baseUrl: string;
const requests = new Map<string, number>();
beforeAll(async () => {
  server = createServer((req, res) => {
    const [, failure = ""] = req.url!.split("/");
    requests.set(failure, (requests.get(failure) ?? 0) + 1);
    const [status, , retryAfter] = failure.split("-");
    res.writeHead(Number(status), { "content-type": "application/json", ...(retryAfter && { "retry-after": retryAfter }) });
    res.end(JSON.stringify({ error: { message: `failure ${status}`, type: "test" } }));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** How many requests one stream made against a failure, with one retry allowed. */
async function attempts(failure: string): Promise<number> {
  const model = openAIModelFactory({ apiKey: "sk-test", baseURL: `${baseUrl}/${failure}/v1`, maxRetries: 1 })({ model: "gpt-test" });
  await expect(async () => {
    for await (const _ of await model.stream("hi"));
  }).rejects.toThrow();
  return requests.get(failure) ?? 0;
}

// What docs/configuration.md says of OPENAI_MAX_RETRIES, as LangChain's AsyncCaller does it (ChatOpenAI turns the
// OpenAI client's own retries off): node_modules/@langchain/core/dist/utils/async_caller.js.
describe("openAIModelFactory() retries before the first byte", () => {
  it.concurrent.for([
    ["500", 2],
    ["503", 2],
    ["408", 2],
    ["422", 2],
    ["429-after-0", 2],
    ["429", 1],
    ["400", 1],
    ["401", 1],
    ["404", 1],
    ["409", 1],
    ["413", 1],
  ] as const)("should answer HTTP %s with %s request(s) in all", async ([failure, expected]) => {
    expect(await attempts(failure)).toBe(expected);
  });
});
