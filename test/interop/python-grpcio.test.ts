import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultTokens } from "../fixtures/fake-openai.ts";
import { generatePythonStubs, removePythonStubs, runPythonSend } from "./python-send-client.ts";
import { interopModels, isTokenSplit, useInteropServer } from "./use-interop-server.ts";
import { skipWithout } from "../support/test-tiers.ts";

const stack = useInteropServer();
let stubs: string;
beforeAll(async () => {
  stubs = await generatePythonStubs();
});
afterAll(() => removePythonStubs(stubs));

function send(options: { content?: string; model?: string; timeoutSeconds?: number; cancelAfter?: number } = {}) {
  return runPythonSend({ stubs, target: stack.server.target, ...options });
}

describe.skipIf(skipWithout("python"))("openai.Chatgpt/Send from Python grpcio with stubs generated from the seed's .proto", () => {
  it("should stream the upstream's tokens in order and end OK", async () => {
    const { answers, status } = await send();
    expect(status.status).toBe("OK");
    const pieces = answers.map((answer) => ("content" in answer ? answer.content : `error: ${answer.error}`));
    expect(isTokenSplit(pieces, defaultTokens)).toBe(true);
  });

  it("should end a rate-limited upstream with Answer.error and RESOURCE_EXHAUSTED carrying the same message", async () => {
    const { answers, status } = await send({ model: interopModels.rateLimited });
    expect(status.status).toBe("RESOURCE_EXHAUSTED");
    expect(answers).toEqual([{ error: status.details }]);
    expect(status.details).toMatch(/rate limited/);
  });

  it("should end a model the server does not offer with NOT_FOUND, its message intact", async () => {
    const { answers, status } = await send({ model: interopModels.unknown });
    expect(status.status).toBe("NOT_FOUND");
    expect(status.details).toContain(`"${interopModels.unknown}" is not offered here (choose `);
    expect(answers).toEqual([{ error: status.details }]);
  });

  it("should refuse empty content with INVALID_ARGUMENT", async () => {
    const { status } = await send({ content: "" });
    expect(status.status).toBe("INVALID_ARGUMENT");
  });

  it("should close the upstream request when the client cancels after the first Answer", async () => {
    const request = stack.fake.nextRequest();
    const { answers, status } = await send({ model: interopModels.stalling, cancelAfter: 1 });
    expect(status.status).toBe("CANCELLED");
    expect(answers.length).toBe(1);
    await (await request).clientClosed;
  });

  it("should end a stalled stream at its timeout with DEADLINE_EXCEEDED and close the upstream", async () => {
    const request = stack.fake.nextRequest();
    const { status } = await send({ model: interopModels.stalling, timeoutSeconds: 1 });
    expect(status.status).toBe("DEADLINE_EXCEEDED");
    await (await request).clientClosed;
  });
});
