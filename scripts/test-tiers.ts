// npm test's pretest, after ensure-test-packages.sh has installed what it could: says which tiers of the suite
// will be skipped here and what each needs, so that the rest runs. Under CI, where every tier must run, a tier
// that cannot stops the run here (exit 1), before any test.
import { missingReason, testTiers, underCi } from "../test/support/test-tiers.ts";

const missing = Object.values(testTiers()).filter((tier) => !tier.present());
const reasons = missing.map((tier) => `  ${missingReason(tier)}\n`).join("");
if (missing.length > 0 && underCi()) {
  process.stderr.write(`CI runs every tier of the tests, but:\n${reasons}`);
  process.exit(1);
}
if (missing.length > 0) process.stderr.write(`these tiers of the tests will be skipped here, and the rest will run:\n${reasons}`);
