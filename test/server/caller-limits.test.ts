import { describe } from "vitest";
import { createLocalLimits } from "../../src/server/caller-limits.ts";
import { runLimitStoreContract } from "../support/limit-store-contract.ts";

describe("createLocalLimits()", () => {
  runLimitStoreContract({ name: "this process's limits", createStore: () => createLocalLimits() });
});
