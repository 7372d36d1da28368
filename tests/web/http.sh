#!/usr/bin/env bash
# The web app over HTTP with real nodes (every role's pages, logins and
# throttling, CSRF, escaping, the record form's refusals, the close and its
# preview, headers): tests/web/http_test.py, Python's standard library only.
#
#   tests/web/http.sh COOP_BIN
#
# Prints "PASS NAME" or "FAIL NAME: why" per check, then a summary line;
# exit 1 on any failure.  COOP_KEEP=1 keeps the nodes' directory.
set -u
COOP=${1:?usage: http.sh COOP_BIN}
here=$(cd "$(dirname "$0")" && pwd)
unset COOP_HOME
export LC_ALL=C.UTF-8 PYTHONIOENCODING=utf-8
exec python3 "$here/http_test.py" "$COOP" "$here/../.."
