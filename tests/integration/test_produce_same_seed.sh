#!/usr/bin/env bash
# The same seed twice gives the same users and therefore the same ids (an Airflow retry
# upserts instead of duplicating); another seed gives other ids.
# shellcheck source=tests/integration/lib_produce.sh
source "$(dirname "$0")/lib_produce.sh"
# shellcheck disable=SC2119  # start_api takes optional flags, none needed here
start_api
run() { # run TOPIC SEED
  "$BIN" produce --source "$API_URL" --topic "$1" --dlq "$1.dlq" --count 3000 --batch 700 \
    --seed "$2" --timeout 20s >"$WORK/summary" 2>"$WORK/log" || { rc=$?; cat "$WORK/log" >&2; fail "produce exited $rc"; }
  [ "$(json_get "$WORK/summary" delivered)" = 3000 ] || fail "delivered: $(cat "$WORK/summary")"
  [ "$(json_get "$WORK/summary" seed)" = "$2" ] || fail "seed not echoed in the summary"
}
a="$(new_topic seed_a)"; b="$(new_topic seed_b)"; c="$(new_topic seed_c)"
run "$a" it-same; run "$b" it-same; run "$c" it-other
for t in "$a" "$b" "$c"; do dump "$t" "$WORK/$t.dump"; python3 "$CHECK" ids --dump "$WORK/$t.dump" >"$WORK/$t.ids"; done
[ "$(sort -u "$WORK/$a.ids" | wc -l)" -eq 3000 ] || fail "first run: not 3000 distinct ids"
cmp -s "$WORK/$a.ids" "$WORK/$b.ids" || fail "same seed, different ids"
[ "$(comm -12 "$WORK/$a.ids" "$WORK/$c.ids" | wc -l)" -eq 0 ] || fail "another seed shares ids"
# Without --seed, a random one is chosen and reported so the run can be replayed.
d="$(new_topic seed_d)"
"$BIN" produce --source "$API_URL" --topic "$d" --dlq "$d.dlq" --count 10 >"$WORK/summary" 2>/dev/null
seed="$(json_get "$WORK/summary" seed)"
[[ "$seed" =~ ^[0-9a-f]{16}$ ]] || fail "no random seed in the summary: $(cat "$WORK/summary")"
echo "PASS"
