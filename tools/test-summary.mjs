// Adds up the jest result files each package's test run writes
// (dist-test/jest-results.json) and prints one line: "tests: N passed, N failed, N skipped".
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const totals = { passed: 0, failed: 0, skipped: 0, suitesFailed: 0 };
for (const group of ["packages", "apps"]) {
  for (const name of readdirSync(path.join(root, group))) {
    const file = path.join(root, group, name, "dist-test", "jest-results.json");
    if (!existsSync(file)) continue;
    const result = JSON.parse(readFileSync(file, "utf8"));
    totals.passed += result.numPassedTests;
    totals.failed += result.numFailedTests;
    totals.skipped += result.numPendingTests + result.numTodoTests;
    totals.suitesFailed += result.numFailedTestSuites;
  }
}
if (totals.suitesFailed > 0) console.log(`${totals.suitesFailed} test file(s) failed to run`);
console.log(`tests: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed > 0 || totals.suitesFailed > 0 ? 1 : 0);
