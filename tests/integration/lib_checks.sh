# lib_checks.sh: the check helpers of the self-counting integration tests (sourced, not run).
# ok NAME counts a pass; not_ok NAME [FILE...] counts a failure and shows the tail of each FILE.
# The test sets passed=0 failed=0 and ends with: echo "$passed passed, $failed failed".
ok() { echo "ok   - $1"; passed=$((passed + 1)); }
not_ok() {
  echo "FAIL - $1"
  shift
  for f in "$@"; do [ -s "$f" ] && tail -n 20 "$f" | cut -c1-300 | sed 's/^/       | /'; done
  failed=$((failed + 1))
}
