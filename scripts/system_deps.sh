#!/usr/bin/env bash
# System packages the tests use: Debian's `chromium` (the server's end-to-end tests, driven by
# Playwright), `postgresql` (the PostgreSQL store, tested against a real server) and a headless
# OpenJDK 17+ (the Spark engine of `hub history`, tested in local mode).
#
# Idempotent: installs only what is missing, with apt-get, as root or through sudo when it is
# available without a password. It never fails the caller: when it cannot install, it says so
# and exits 0 — the tests that need these packages then skip with a visible reason.
set -u

log() { printf 'system_deps: %s\n' "$*"; }

have_chromium() { [ -x /usr/bin/chromium ]; }
have_postgresql() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; }
# Java 17+ for the optional Spark engine of `hub history` (clearance[spark], which `make setup`
# installs): wanted only when the project's venv has pyspark; without Java the Spark tests skip.
java_bin() { if [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; then echo "$JAVA_HOME/bin/java"; else command -v java; fi; }
# The major version `java -version` prints ("17.0.15" -> 17, "1.8.0_402" -> 8); 0 when there is no java.
java_major() {
  local bin v; bin="$(java_bin)" || { echo 0; return; }
  v="$("$bin" -version 2>&1 | sed -n 's/.*version "\([0-9._]*\).*/\1/p' | head -n1)"
  case "$v" in 1.*) v="${v#1.}" ;; esac
  echo "${v%%[._]*}" | grep -E '^[0-9]+$' || echo 0
}
have_java() { [ "$(java_major)" -ge 17 ]; }
want_java() { local py; py="$(dirname "$0")/../.venv/bin/python"; [ -x "$py" ] && "$py" -c 'import pyspark' >/dev/null 2>&1; }
# Debian's headless OpenJDK, 17 or later: the release's own versioned package (bookworm: 17,
# trixie: 21), else default-jre-headless (which is 17+ from bookworm on).
java_package() {
  local p
  for p in openjdk-17-jre-headless openjdk-21-jre-headless openjdk-25-jre-headless; do
    if apt-cache policy "$p" 2>/dev/null | grep -q 'Candidate: [0-9]'; then echo "$p"; return; fi
  done
  echo default-jre-headless
}

missing=()
if have_chromium; then log "chromium: already installed (/usr/bin/chromium)"; else missing+=(chromium); fi
if have_postgresql; then log "postgresql: already installed ($(ls -d /usr/lib/postgresql/*/bin | head -n1))"; else missing+=(postgresql); fi
if want_java; then if have_java; then log "java: already installed ($(java_bin), $(java_major))"; else missing+=(java); fi; fi

if [ ${#missing[@]} -eq 0 ]; then
  log "nothing to do"
  exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
  log "cannot install ${missing[*]}: apt-get not found (not Debian/Ubuntu?); the tests that need them will skip"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  log "cannot install ${missing[*]}: not root and no password-less sudo; the tests that need them will skip"
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
log "installing ${missing[*]} with apt-get…"
if ! "${as_root[@]}" apt-get update -qq >/dev/null 2>&1; then
  log "apt-get update failed (offline?); trying the install with the current package lists"
fi
# Which Java package: known only once the package lists are up to date.
for i in "${!missing[@]}"; do [ "${missing[$i]}" = java ] && missing[$i]="$(java_package)"; done
# --no-install-recommends keeps chromium from pulling a desktop; the postgresql package pulls
# the server binaries (initdb, pg_ctl) the tests start themselves.
if "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/tmp/system_deps.$$.log 2>&1; then
  log "installed ${missing[*]}"
else
  log "apt-get install ${missing[*]} failed; last lines of its log:"
  tail -n 5 /tmp/system_deps.$$.log | sed 's/^/    /'
  log "the tests that need them will skip"
fi
rm -f /tmp/system_deps.$$.log

have_chromium && log "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo present)"
have_postgresql && log "postgresql: $(ls -d /usr/lib/postgresql/*/bin | head -n1)"
want_java && { have_java && log "java: $("$(java_bin)" -version 2>&1 | head -n1)" || log "java 17+: still missing; the Spark tests will skip"; }
exit 0
