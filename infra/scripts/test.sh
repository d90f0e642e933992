#!/usr/bin/env bash
# npm test: install what is missing, then typecheck, lint, build and run every test (unit and
# integration) against a real Kafka broker and PostgreSQL, which the jest harness starts or finds.
set -euo pipefail
# shellcheck source=infra/scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
prepare_checkout
echo "== typecheck" && npm run --silent typecheck
echo "== lint" && npm run --silent lint
echo "== build" && build
echo "== tests"
mkdir -p .run
set +e
npx --no-install jest --ci --json --outputFile=.run/jest-results.json "$@"
code=$?
set -e
# One closing line in the plain form CI reads, whatever jest printed above it.
node -e '
  const r = require("./.run/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  // A skipped suite names why in its title: say it where nobody can miss it.
  const why = new Set(r.testResults.flatMap((file) => file.assertionResults)
    .filter((test) => test.status === "pending").map((test) => test.ancestorTitles[0]));
  for (const title of why) console.log(`skipped: ${title}`);
' 2>/dev/null || true
exit "$code"
