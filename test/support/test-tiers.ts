import { spawnSync } from "node:child_process";
import { accessSync, constants } from "node:fs";

/** A tier of the suite: the tests that need a program npm cannot bring. */
export interface TestTier {
  /** Which tests, in words. */
  tests: string;
  /** The program they run: where Debian puts it, unless a variable names another. */
  program: string;
  /** What to install for it. */
  needs: string;
  /** What is not there when it is not {@link present}. */
  absent: string;
  /** Whether the program is there and does what the tests need of it. */
  present(): boolean;
}

/** The tiers, by name. */
export type TierName = "browser" | "python" | "redis" | "terminal";

type Env = Record<string, string | undefined>;

/**
 * The suite's tiers. `TOKENWIRE_TEST_CHROMIUM`, `TOKENWIRE_TEST_PYTHON`,
 * `TOKENWIRE_TEST_REDIS_SERVER` and `TOKENWIRE_TEST_SCRIPT` point them at
 * programs elsewhere than Debian's paths, such as Homebrew's redis-server.
 */
export function testTiers(env: Env = process.env): Record<TierName, TestTier> {
  const python = env.TOKENWIRE_TEST_PYTHON || "/usr/bin/python3";
  const chromium = env.TOKENWIRE_TEST_CHROMIUM || "/usr/bin/chromium";
  const redis = env.TOKENWIRE_TEST_REDIS_SERVER || "/usr/bin/redis-server";
  const script = env.TOKENWIRE_TEST_SCRIPT || "/usr/bin/script";
  return {
    browser: { tests: "the browser tests (test/browser)", program: chromium, needs: "Chromium (Debian: apt-get install chromium)", absent: chromium, present: () => executable(chromium) },
    python: {
      tests: "the Python grpcio interop tests (test/interop/*python*)",
      program: python,
      needs: "python3 with grpcio and grpc_tools (Debian: apt-get install python3-grpcio python3-grpc-tools)",
      absent: `${python} that imports grpc and grpc_tools`,
      present: () => spawnSync(python, ["-c", "import grpc, grpc_tools"], { stdio: "ignore" }).status === 0,
    },
    redis: { tests: "the Redis tests", program: redis, needs: "redis-server 6.2 or later (Debian: apt-get install redis-server)", absent: redis, present: () => executable(redis) },
    // BSD's script, macOS's, takes other options: the tests run util-linux's.
    terminal: {
      tests: "the tests on a pseudo-terminal (test/app/startup-output, test/app/process-log)",
      program: script,
      needs: "util-linux's script (Debian: apt-get install bsdutils)",
      absent: `${script} from util-linux`,
      present: () => spawnSync(script, ["--version"], { encoding: "utf8" }).stdout?.includes("util-linux") ?? false,
    },
  };
}

/** Whether `CI` is set, as CI services set it: every tier must run there. */
export function underCi(env: Env = process.env): boolean {
  return Boolean(env.CI) && env.CI !== "false" && env.CI !== "0";
}

/** Why a tier cannot run here, in one sentence. */
export function missingReason(tier: TestTier): string {
  return `${tier.tests} need ${tier.needs}, and there is no ${tier.absent} here`;
}

/**
 * Why the tests of `name` skip here, for `describe.skipIf`: the reason when
 * its program is missing, said on stderr too; undefined when it is present.
 * Under CI a missing program is thrown instead, so that a tier never passes
 * by skipping where it must run.
 */
export function skipWithout(name: TierName, env: Env = process.env): string | undefined {
  const tier = testTiers(env)[name];
  if (tier.present()) return undefined;
  const reason = missingReason(tier);
  if (underCi(env)) throw new Error(`CI runs every tier of the tests, but ${reason}`);
  console.warn(`skipped: ${reason}`);
  return reason;
}

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
