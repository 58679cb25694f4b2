import { describe } from "vitest";
import { createMemoryStreamLog } from "../../src/index.ts";
import { runStreamLogContract } from "../support/stream-log-contract.ts";

describe("createMemoryStreamLog()", () => {
  runStreamLogContract({ name: "the in-memory log", createLog: (options) => createMemoryStreamLog(options) });
});
