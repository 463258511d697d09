#!/usr/bin/env bash
# Paging over 10k rows: the library writes them (async prepared inserts, 256 in flight) and
# `userpipe query` reads every page back, small pages and default pages, in each format.
# shellcheck source=tests/integration/lib_cql.sh
source "$(dirname "$0")/lib_cql.sh"
cql_setup paging

q "CREATE TABLE $KS.pg (k int PRIMARY KEY, v text)"
"$IT_CQL" "$CASSANDRA" load "$KS" pg 10000 256 >"$WORK/load.log" || fail "load: $(cat "$WORK/load.log")"
log "$(cat "$WORK/load.log")"

q --csv --page-size 333 "SELECT k, v FROM $KS.pg" >"$WORK/pg.csv"
[ "$(head -1 "$WORK/pg.csv")" = "k,v" ] || fail "CSV header"
[ "$(tail -n +2 "$WORK/pg.csv" | wc -l)" = 10000 ] || fail "CSV rows: $(tail -n +2 "$WORK/pg.csv" | wc -l)"
[ "$(tail -n +2 "$WORK/pg.csv" | cut -d, -f1 | sort -un | wc -l)" = 10000 ] || fail "duplicate or missing keys across pages"
awk -F, 'NR > 1 && $2 != "row " $1 { bad++ } END { exit bad > 0 }' "$WORK/pg.csv" || fail "values do not match their keys"

q --json --page-size 1000 "SELECT k FROM $KS.pg" >"$WORK/pg.json"
[ "$(wc -l <"$WORK/pg.json")" = 10000 ] || fail "JSON rows"

q "SELECT k FROM $KS.pg" >"$WORK/pg.txt"
tail -1 "$WORK/pg.txt" | grep -qx '(10000 rows)' || fail "table footer: $(tail -1 "$WORK/pg.txt")"
[ "$(grep -cE '^ +[0-9]+$' "$WORK/pg.txt")" = 10000 ] || fail "table rows"
log "ok"
