# shellcheck shell=bash
# scripts/lib/debian.sh — which Debian archive this machine's apt uses, for what fetches from
# Debian outside apt's own setup (scripts/librdkafka's source package, scripts/compose's
# debootstrap base image). Sourced, never run.

# The Debian archive the system's apt already uses (not a security or third-party one): from
# the Release files apt has, or, before any 'apt-get update' (a fresh container), from the
# sources entry of this release's codename.
# shellcheck disable=SC2016  # $(...) are apt's format fields, not the shell's
debian_archive() {
  local uri
  uri="$(apt-get indextargets --format '$(REPO_URI)|$(ORIGIN)|$(LABEL)' 2>/dev/null |
    awk -F'|' '$2 == "Debian" && $3 == "Debian" { print $1; exit }')"
  [ -n "$uri" ] && { printf '%s\n' "$uri"; return; }
  local codename SL SP
  codename="$(. /etc/os-release && printf '%s' "${VERSION_CODENAME:-}")"
  eval "$(apt-config shell SL Dir::Etc::sourcelist/f SP Dir::Etc::sourceparts/d)"
  # one-line entries: deb [options] URI SUITE COMPONENTS...; deb822 stanzas: URIs:, Suites:
  cat "$SL" "$SP"/*.list 2>/dev/null |
    awk -v c="$codename" '$1 == "deb" { sub(/ \[[^]]*\]/, ""); if ($3 == c) { print $2; exit } }'
  for f in "$SP"/*.sources; do
    [ -f "$f" ] || continue
    awk -v c="$codename" 'BEGIN { RS = ""; FS = "\n" }
      { u = ""; hit = 0
        for (i = 1; i <= NF; i++) {
          if ($i ~ /^URIs:/) { u = $i; sub(/^URIs:[ \t]*/, "", u); sub(/[ \t].*/, "", u) }
          if ($i ~ /^Suites:/) { n = split($i, s, /[ \t]+/); for (j = 2; j <= n; j++) if (s[j] == c) hit = 1 }
        }
        if (hit && u != "") { print u; exit } }' "$f"
  done | head -n 1
}
