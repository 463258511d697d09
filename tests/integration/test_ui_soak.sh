#!/usr/bin/env bash
# A short `make soak-ui` (30 s, fewer clients) with the build under test: `userpipe ui` lives
# through SSE clients that stall and vanish, random and malformed requests and topics deleted
# underneath, answers every liveness probe and stops cleanly on SIGTERM (tests/stress/ui_soak.sh
# for the details; make soak-ui runs the ASan build for minutes).
set -euo pipefail
: "${USERPIPE_BIN:?}" "${USERPIPE_ROOT:?}"
USERPIPE_SOAK_SECONDS="${USERPIPE_SOAK_SECONDS:-30}" USERPIPE_SOAK_SSE=16 USERPIPE_SOAK_WORKERS=4 \
  exec "$USERPIPE_ROOT/tests/stress/ui_soak.sh"
