#!/usr/bin/env bash
# System packages the server's tests use: Debian's `chromium` (end-to-end tests, driven by
# Playwright) and `postgresql` (the PostgreSQL store, tested against a real server).
#
# Idempotent: installs only what is missing, with apt-get, as root or through sudo when it is
# available without a password. It never fails the caller: when it cannot install, it says so
# and exits 0 — the tests that need these packages then skip with a visible reason.
set -u

log() { printf 'system_deps: %s\n' "$*"; }

have_chromium() { [ -x /usr/bin/chromium ]; }
have_postgresql() { compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null && compgen -G '/usr/lib/postgresql/*/bin/pg_ctl' >/dev/null; }
# Java 17+ for the optional Spark engine of `hub history` (clearance[spark]): wanted only when the
# project's venv has pyspark; without Java the Spark tests skip.
have_java() { command -v java >/dev/null 2>&1 || [ -x "${JAVA_HOME:-/nonexistent}/bin/java" ]; }
want_java() { local py; py="$(dirname "$0")/../.venv/bin/python"; [ -x "$py" ] && "$py" -c 'import pyspark' >/dev/null 2>&1; }

missing=()
if have_chromium; then log "chromium: already installed (/usr/bin/chromium)"; else missing+=(chromium); fi
if have_postgresql; then log "postgresql: already installed ($(ls -d /usr/lib/postgresql/*/bin | head -n1))"; else missing+=(postgresql); fi
if want_java; then if have_java; then log "java: already installed"; else missing+=(openjdk-17-jre-headless); fi; fi

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
want_java && have_java && log "java: $(java -version 2>&1 | head -n1)"
exit 0
