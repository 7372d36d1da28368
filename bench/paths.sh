# Sourced by the bench scripts that time the release build: where the
# repository is, the build (COOP_BUILD, default build-release) and its tools.
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
build=$(cd "$root" && realpath "${COOP_BUILD:-build-release}")
coop="$build/cli/coop"
make_log="$build/bench/make_log"
