#!/usr/bin/env bash
# npm test: install what is missing, then typecheck, lint, build and run every test (unit and
# integration) against a real Kafka broker and PostgreSQL, which the jest harness starts or finds.
set -euo pipefail
# shellcheck source=infra/scripts/prepare.sh
source "$(dirname "${BASH_SOURCE[0]}")/prepare.sh"
prepare_checkout
ensure_chromium
echo "== on Node.js $(node --version) ($(command -v node))"
echo "== typecheck" && npm run --silent typecheck
echo "== lint" && npm run --silent lint
echo "== build" && build
echo "== tests"
# jest.config.js adds a reporter that prints the closing line CI reads, whatever the outcome.
exec npx --no-install jest --ci "$@"
