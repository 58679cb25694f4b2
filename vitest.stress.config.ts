import { defineConfig } from "vitest/config";

// `npm run stress`: the load and flood cases, too long for `npm test`. One file at a time, so that each has the machine.
export default defineConfig({
  test: {
    include: ["test/stress/**/*.stress.ts"],
    testTimeout: 600_000,
    hookTimeout: 60_000,
    fileParallelism: false,
  },
});
