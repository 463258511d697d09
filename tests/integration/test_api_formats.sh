#!/usr/bin/env bash
# Integration test for `userpipe api`: the built binary on free loopback ports, hit
# with curl and with the tools venv's Python (json, csv, xml.etree, yaml). Checks
# every nationality's shape and types, determinism, every format parsed back by a
# real parser and compared with the JSON, errors, headers, keep-alive, the rate
# limit, fault injection and the metrics endpoint. Needs no Kafka or Cassandra.
set -euo pipefail
root="${USERPIPE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}"
bin="${USERPIPE_BIN:-$root/build/userpipe}"
py="$("$root/scripts/venv" --path)/bin/python"
work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { "$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_api NAME ARGS...: starts a server, waits until it answers, sets $port.
start_api() {
  local name="$1"; shift
  port="$(free_port)"
  "$bin" api --listen "127.0.0.1:$port" "$@" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/api/?results=1&fail=probe" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  # with fault injection a probe may fail on purpose: accept any HTTP answer
  curl -s -o /dev/null "http://127.0.0.1:$port/api/" && return 0
  echo "FAIL: userpipe api ($name) did not start:"; cat "$work/$name.log"; exit 1
}

fail() { echo "FAIL: $*"; exit 1; }

metrics_port="$(free_port)"
start_api main --metrics "127.0.0.1:$metrics_port" --threads 2
base="http://127.0.0.1:$port"

# --- curl: headers, routes, errors -------------------------------------------
hdr="$(curl -s -D - -o /dev/null "$base/api/?results=2&seed=it")"
grep -qi '^content-type: application/json; charset=utf-8' <<<"$hdr" || fail "json content type: $hdr"
grep -qi '^cache-control: no-cache' <<<"$hdr" || fail "cache-control"
grep -qi '^access-control-allow-origin: \*' <<<"$hdr" || fail "cors"
for path in /api /api/ /api/1.4 /api/1.4/; do
  code="$(curl -s -o /dev/null -w '%{http_code}' "$base$path?results=1")"
  [ "$code" = 200 ] || fail "$path answered $code"
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/1.3/")" = 404 ] || fail "/api/1.3/ not 404"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$base/api/")" = 405 ] || fail "POST not 405"
for bad in 'results=0' 'results=5001' 'page=0' 'nat=xx' 'gender=x' 'inc=foo' \
           'password=upper,99' 'format=html' 'callback=a(b)' 'seed=%01' 'callback=cb&format=xml'; do
  body="$(curl -s -w '\n%{http_code}' "$base/api/?$bad")"
  [ "$(tail -n1 <<<"$body")" = 400 ] || fail "$bad: not 400"
  head -n1 <<<"$body" | "$py" -c 'import json,sys; d=json.load(sys.stdin); assert set(d)=={"error"} and d["error"]' \
    || fail "$bad: 400 body is not {\"error\": ...}"
done
hdr="$(curl -s -D - -o /dev/null "$base/api/?results=2&format=yaml&dl")"
grep -qi '^content-type: text/x-yaml' <<<"$hdr" || fail "yaml content type"
grep -qi '^content-disposition: attachment; filename="users.yaml"' <<<"$hdr" || fail "dl"
# keep-alive: curl reuses one connection for two URLs
curl -sv -o /dev/null -o /dev/null "$base/api/?results=1" "$base/api/?results=1" 2>&1 |
  grep -q 'Re-using existing connection' || fail "no keep-alive"

# --- Python: shape of every nationality, formats, determinism ---------------
"$py" - "$base" <<'PYEOF'
import csv, datetime, hashlib, http.client, io, json, re, sys, urllib.parse, urllib.request, uuid
import xml.etree.ElementTree as ET
import yaml

base = sys.argv[1]
host, port = urllib.parse.urlparse(base).netloc.split(":")
conn = http.client.HTTPConnection(host, int(port), timeout=30)   # one keep-alive connection

def get(query, path="/api/"):
    conn.request("GET", path + "?" + query)
    r = conn.getresponse()
    body = r.read()
    return r.status, dict((k.lower(), v) for k, v in r.getheaders()), body

def get_json(query):
    status, _, body = get(query)
    assert status == 200, (query, status, body[:200])
    return body, json.loads(body, object_pairs_hook=lambda pairs: pairs_dict(pairs))

class Ordered(dict):
    pass

def pairs_dict(pairs):
    d = Ordered(pairs)
    d.order = [k for k, _ in pairs]
    return d

USER_KEYS = ["gender", "name", "location", "email", "login", "dob", "registered", "phone",
             "cell", "id", "picture", "nat"]
NATS = "AU BR CA CH DE DK ES FI FR GB IE IN IR MX NL NO NZ RS TR UA US".split()
COUNTRY = {"AU": "Australia", "BR": "Brazil", "CA": "Canada", "CH": "Switzerland",
           "DE": "Germany", "DK": "Denmark", "ES": "Spain", "FI": "Finland", "FR": "France",
           "GB": "United Kingdom", "IE": "Ireland", "IN": "India", "IR": "Iran", "MX": "Mexico",
           "NL": "Netherlands", "NO": "Norway", "NZ": "New Zealand", "RS": "Serbia",
           "TR": "Turkey", "UA": "Ukraine", "US": "United States"}
today = datetime.datetime.now(datetime.timezone.utc)

def age(iso):
    d = datetime.datetime.strptime(iso, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    years = today.year - d.year
    if (today.month, today.day, today.time()) < (d.month, d.day, d.time()):
        years -= 1
    return d, years

def check_user(u, nat):
    assert u.order == USER_KEYS, u.order
    female = u["gender"] == "female"
    assert u["gender"] in ("male", "female")
    assert u["name"].order == ["title", "first", "last"]
    titles = ({"Madame", "Mademoiselle"} if female else {"Monsieur"}) if nat == "CH" else \
             ({"Miss", "Mrs", "Ms"} if female else {"Mr"})
    assert u["name"]["title"] in titles, (nat, u["name"])
    loc = u["location"]
    assert loc.order == ["street", "city", "state", "country", "postcode", "coordinates", "timezone"]
    assert loc["street"].order == ["number", "name"]
    assert type(loc["street"]["number"]) is int and 1 <= loc["street"]["number"] <= 9999
    assert isinstance(loc["street"]["name"], str) and loc["street"]["name"].strip()
    assert loc["country"] == COUNTRY[nat]
    pc = loc["postcode"]
    if nat in ("GB", "CA", "NO"):
        assert isinstance(pc, str), (nat, pc)
        if nat == "NO": assert re.fullmatch(r"\d{4}", pc)
        if nat == "CA": assert re.fullmatch(r"[A-Z]\d[A-Z] \d[A-Z]\d", pc)
        if nat == "GB": assert re.fullmatch(r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}", pc)
    elif nat == "NL":
        assert type(pc) is int or re.fullmatch(r"\d{4} [A-Z]{2}", pc)
    else:
        assert type(pc) is int, (nat, pc)
        if nat in ("AU", "CH"): assert 100 <= pc <= 9999
    assert loc["coordinates"].order == ["latitude", "longitude"]
    for k, lim in (("latitude", 90), ("longitude", 180)):
        v = loc["coordinates"][k]
        assert isinstance(v, str) and re.fullmatch(r"-?\d{1,3}\.\d{4}", v) and abs(float(v)) <= lim
    assert loc["timezone"].order == ["offset", "description"]
    assert re.fullmatch(r"[+-]?\d{1,2}:\d{2}", loc["timezone"]["offset"])
    assert re.fullmatch(r"[a-z0-9-]+\.[a-z0-9-]+@example\.com", u["email"]), u["email"]
    lg = u["login"]
    assert lg.order == ["uuid", "username", "password", "salt", "md5", "sha1", "sha256"]
    parsed = uuid.UUID(lg["uuid"])
    assert parsed.version == 4 and str(parsed) == lg["uuid"]
    assert re.fullmatch(r"[a-z]+\d{3}", lg["username"])
    assert len(lg["salt"]) == 8
    raw = (lg["password"] + lg["salt"]).encode()
    assert lg["md5"] == hashlib.md5(raw).hexdigest()
    assert lg["sha1"] == hashlib.sha1(raw).hexdigest()
    assert lg["sha256"] == hashlib.sha256(raw).hexdigest()
    for key, lo, hi in (("dob", 1944, 2001), ("registered", 2002, 2022)):
        assert u[key].order == ["date", "age"]
        d, years = age(u[key]["date"])
        assert lo <= d.year <= hi
        assert type(u[key]["age"]) is int and u[key]["age"] == years, (u[key], years)
    assert isinstance(u["phone"], str) and isinstance(u["cell"], str)
    if nat in ("CA", "UA"):
        assert re.search(r"[A-Z]", u["phone"]), u["phone"]
    assert u["id"].order == ["name", "value"]
    if nat in ("IR", "NZ", "TR", "UA"):
        assert u["id"]["name"] == "" and u["id"]["value"] is None
    else:
        assert u["id"]["name"] and isinstance(u["id"]["value"], str)
    pic = u["picture"]
    assert pic.order == ["large", "medium", "thumbnail"]
    m = re.fullmatch(r"https://randomuser\.me/api/portraits/(men|women)/(\d+)\.jpg", pic["large"])
    assert m and m.group(1) == ("women" if female else "men")
    assert int(m.group(2)) <= (96 if female else 99)
    assert pic["medium"] == pic["large"].replace("portraits/", "portraits/med/")
    assert pic["thumbnail"] == pic["large"].replace("portraits/", "portraits/thumb/")
    assert u["nat"] == nat

letters = {"FR": "é", "NO": "ø", "DE": "ß", "TR": "ğ", "RS": "đ", "ES": "ñ", "IR": "\u0627", "BR": "ã"}
trailing_space = False
for nat in NATS:
    body, doc = get_json(f"results=500&seed=it-{nat}&nat={nat.lower()}")
    assert doc.order == ["results", "info"]
    assert len(doc["results"]) == 500
    for u in doc["results"]:
        check_user(u, nat)
        trailing_space |= u["location"]["street"]["name"].endswith(" ")
    info = doc["info"]
    assert info.order == ["seed", "results", "page", "version"]
    assert info == {"seed": f"it-{nat}", "results": 500, "page": 1, "version": "1.4"}
    if nat in letters:
        text = json.dumps(doc["results"], ensure_ascii=False)
        assert letters[nat] in text, (nat, letters[nat])
assert trailing_space, "no street name ends in a space"
_, ie = get_json("results=1000&seed=apos&nat=ie")
assert any("'" in u["name"]["last"] for u in ie["results"])
_, de = get_json("results=1000&seed=space&nat=de")
assert any(" " in u["name"]["first"] for u in de["results"])
print("shape: 21 nationalities x 500 users ok")

# determinism, prefix, pages, random seeds
a, _ = get_json("results=300&seed=det&nat=us,fr,ir&password=special,upper,10-20")
b, _ = get_json("results=300&seed=det&nat=us,fr,ir&password=special,upper,10-20")
assert a == b, "same seed, different bytes"
_, small = get_json("results=10&seed=det")
_, big = get_json("results=5000&seed=det")
assert small["results"] == big["results"][:10], "results=10 is not a prefix of results=5000"
_, p2 = get_json("results=5&seed=det&page=2")
_, det2 = get_json("results=5&seed=det2")
assert p2["results"] == det2["results"] and p2["results"] != small["results"][:5]
_, r1 = get_json("results=1")
_, r2 = get_json("results=1")
assert re.fullmatch(r"[0-9a-f]{16}", r1["info"]["seed"]) and r1["info"]["seed"] != r2["info"]["seed"]
_, again = get_json("results=1&seed=" + r1["info"]["seed"])
assert again["results"] == r1["results"]
print("determinism ok")

# parameters
_, g = get_json("results=200&seed=p&gender=female&nat=ch,no")
assert all(u["gender"] == "female" and u["nat"] in ("CH", "NO") for u in g["results"])
_, inc = get_json("results=3&seed=p&inc=gender,name,nat&noinfo")
assert inc.order == ["results"] and all(u.order == ["gender", "name", "nat"] for u in inc["results"])
_, exc = get_json("results=3&seed=p&exc=login,picture")
assert all("login" not in u and "picture" not in u and "email" in u for u in exc["results"])
_, pw = get_json("results=200&seed=p&password=number,4-6")
assert all(re.fullmatch(r"\d{4,6}", u["login"]["password"]) for u in pw["results"])
status, hdrs, body = get("results=2&seed=p&callback=cb_1")
assert status == 200 and body.startswith(b"cb_1(") and body.endswith(b");")
json.loads(body[5:-2])
print("parameters ok")

# formats, each parsed by a real parser and compared with the JSON of the same page
_, ref = get_json("results=100&seed=fmt&password=special,upper,lower,16")
users = ref["results"]
status, hdrs, body = get("results=100&seed=fmt&password=special,upper,lower,16&format=pretty")
assert status == 200 and json.loads(body) == json.loads(json.dumps(ref)) and b'\n  "results": [' in body

status, hdrs, body = get("results=100&seed=fmt&password=special,upper,lower,16&format=yaml")
assert hdrs["content-type"].startswith("text/x-yaml")
assert yaml.safe_load(body.decode()) == json.loads(json.dumps(ref)), "yaml differs from json"

def flatten(obj, prefix=""):
    out = {}
    for k, v in obj.items():
        if isinstance(v, dict):
            out.update(flatten(v, prefix + k + "."))
        else:
            out[prefix + k] = v
    return out

status, hdrs, body = get("results=100&seed=fmt&password=special,upper,lower,16&format=csv")
assert hdrs["content-type"].startswith("text/csv")
rows = list(csv.DictReader(io.StringIO(body.decode())))
assert len(rows) == 100
for row, u in zip(rows, users):
    flat = flatten(u)
    assert list(row) == list(flat), list(row)
    for k, v in flat.items():
        assert row[k] == ("" if v is None else str(v)), (k, row[k], v)

status, hdrs, body = get("results=100&seed=fmt&password=special,upper,lower,16&format=xml")
assert hdrs["content-type"].startswith("text/xml")
root = ET.fromstring(body)
assert root.tag == "user"
xml_users = root.findall("results")
assert len(xml_users) == 100
def xml_flat(el, prefix=""):
    out = {}
    for child in el:
        if len(child):
            out.update(xml_flat(child, prefix + child.tag + "."))
        else:
            out[prefix + child.tag] = child.text or ""
    return out
for el, u in zip(xml_users, users):
    flat = flatten(u)
    got = xml_flat(el)
    assert list(got) == list(flat)
    for k, v in flat.items():
        assert got[k] == ("" if v is None else str(v)), (k, got[k], v)
info = root.find("info")
assert info.find("seed").text == "fmt" and info.find("results").text == "100"
print("formats ok: json, pretty, csv, yaml, xml")
PYEOF

# --- metrics ------------------------------------------------------------------
m="$(curl -fs "http://127.0.0.1:$metrics_port/metrics")"
grep -q '^userpipe_api_requests_total{status="200"} ' <<<"$m" || fail "no requests_total{200}"
grep -q '^userpipe_api_requests_total{status="400"} ' <<<"$m" || fail "no requests_total{400}"
grep -q '^userpipe_api_users_total ' <<<"$m" || fail "no users_total"
grep -q '^userpipe_api_request_duration_seconds_bucket' <<<"$m" || fail "no duration histogram"

# --- rate limit -----------------------------------------------------------------
start_api limited --rate-limit 10/5m
# the request that finds budget left is served in full (20 > 10), the next one is not
code="$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/api/?results=20")"
[ "$code" = 200 ] || fail "first request under the limit answered $code"
resp="$(curl -s -D - "http://127.0.0.1:$port/api/?results=5")"
grep -q '^HTTP/1.1 429' <<<"$resp" || fail "no 429 after the budget: $resp"
grep -qi '^retry-after: [0-9]' <<<"$resp" || fail "429 without Retry-After"
grep -q '{"error":"rate limit' <<<"$resp" || fail "429 body"

# --- fault injection ------------------------------------------------------------
start_api faulty --fail-rate 1 --slow-delay 200ms
declare -A seen=()
for _ in $(seq 40); do
  out="$(curl -s -o "$work/body" -w '%{http_code} %{content_type} %{time_total}' "http://127.0.0.1:$port/api/?results=1")"
  read -r code ctype secs <<<"$out"
  if [ "$code" = 500 ]; then seen[e500]=1
  elif [ "$code" = 503 ]; then seen[e503]=1
  elif [[ "$ctype" == text/html* ]]; then seen[html]=1
  else
    "$py" -c 'import json,sys; json.load(open(sys.argv[1]))' "$work/body" || fail "slow answer not JSON"
    awk -v s="$secs" 'BEGIN{exit !(s >= 0.19)}' || fail "slow answer took only $secs s"
    seen[slow]=1
  fi
done
[ "${#seen[@]}" = 4 ] || fail "fault kinds seen: ${!seen[*]}"
echo "test_api_formats: all checks passed"
