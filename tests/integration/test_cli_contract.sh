#!/usr/bin/env bash
# The command-line contract of docs/design.md for every command: --help exits 0 and names the
# flags with their USERPIPE_ variables; an unknown command, an unknown flag or a bad value
# exits 2 with the usage line and the offending name; --version names librdkafka.
set -uo pipefail
bin="${USERPIPE_BIN:?}"
pass=0; fail=0
check() { # description, expected status, command...
  local what="$1" want="$2"; shift 2
  local out; out="$("$@" 2>&1)"; local got=$?
  if [ "$got" = "$want" ]; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $what: exit $got, want $want"; echo "$out" | head -5; fi
  LAST_OUT="$out"
}
expect_text() { # description, needle
  if grep -qF -- "$2" <<<"$LAST_OUT"; then pass=$((pass + 1)); else
    fail=$((fail + 1)); echo "FAIL: $1: output lacks '$2'"; echo "$LAST_OUT" | head -5; fi
}

check "no command" 2 "$bin"
check "top-level help" 0 "$bin" --help
expect_text "top-level help lists commands" "Commands:"
check "unknown command" 2 "$bin" frobnicate
expect_text "unknown command named" "unknown command 'frobnicate'"
check "version" 0 "$bin" --version
expect_text "version names librdkafka" "librdkafka"

commands="$("$bin" --help | awk '/^Commands:/{on=1; next} on && /^  [a-z]/{print $1} on && /^$/{if (seen) exit} {if (on) seen=1}')"
[ -n "$commands" ] || { echo "FAIL: no commands listed"; fail=$((fail + 1)); }
for c in $commands; do
  check "$c --help" 0 "$bin" "$c" --help
  expect_text "$c help usage line" "Usage: userpipe $c"
  expect_text "$c help env names" "[\$USERPIPE_LOG_FORMAT]"
  check "$c unknown flag" 2 "$bin" "$c" --no-such-flag
  expect_text "$c unknown flag named" "unknown flag '--no-such-flag'"
  expect_text "$c usage on error" "Usage: userpipe $c"
  check "$c bad log format" 2 "$bin" "$c" --log-format=xml
  expect_text "$c bad value named" "--log-format"
  check "$c bad env value" 2 env USERPIPE_LOG_LEVEL=loud "$bin" "$c"
  expect_text "$c env variable named" "USERPIPE_LOG_LEVEL"
done

echo "cli contract: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
