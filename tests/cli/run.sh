#!/usr/bin/env bash
# Golden CLI tests.  Usage: run.sh COOP_BINARY CASES_DIR [CASE...]
#
# One file per case (tests/cli/cases/*.t):
#   # comment lines say what the case checks
#   setup: <shell command>     run first, in order; each must exit 0
#   run: <shell command>       the command under test (exactly one)
#   exit: <status>             its expected exit status
#   --- stdout                 expected standard output follows, up to the next ---
#   --- stderr                 expected standard error follows
# Commands run in bash inside a fresh temporary directory ($WORK), with `coop`
# on PATH, COOP_HOME=$WORK/node, COOP_NOW_MS fixed and $DATA = tests/data.  Before comparing, the
# outputs are normalised: $WORK becomes <WORK>, 128 hex digits <SIG>, 64 hex
# digits <HEX32>, 32 hex digits <HEX16>, a lone 16-digit word <HEX8>,
# fingerprints <FP>, so keys and
# signatures (random per run) do not matter but everything else does.
set -u
coop_binary=$(realpath "$1")
cases_dir=$2
shift 2

data_dir=$(realpath "$cases_dir/../data")
bin_dir=$(mktemp -d)
ln -s "$coop_binary" "$bin_dir/coop"
trap 'rm -rf "$bin_dir"' EXIT

normalise() {
  sed -E -e "s#$WORK#<WORK>#g" \
         -e 's/[0-9a-f]{128}/<SIG>/g' \
         -e 's/[0-9a-f]{64}/<HEX32>/g' \
         -e 's/[0-9a-f]{32}/<HEX16>/g' \
         -e 's/\b[0-9a-f]{16}\b/<HEX8>/g' \
         -e 's/[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}/<FP>/g'
}

# section FILE NAME: the lines after "--- NAME" up to the next "---" line.
section() {
  awk -v name="--- $2" '$0 == name {on = 1; next} /^--- / {on = 0} on' "$1"
}

run_case() {
  local case_file=$1
  WORK=$(mktemp -d)
  export WORK COOP_HOME="$WORK/node" COOP_NOW_MS=1767225600000 DATA="$data_dir"
  local status=0 line expected_exit actual_exit run_line=""
  expected_exit=$(sed -n 's/^exit: //p' "$case_file")
  while IFS= read -r line; do
    case "$line" in
      setup:*)
        if ! (cd "$WORK" && PATH="$bin_dir:$PATH" bash -c "${line#setup: }") >"$WORK/.setup.out" 2>&1; then
          echo "FAIL $case_file: setup failed: ${line#setup: }"
          sed 's/^/    /' "$WORK/.setup.out"
          status=1
        fi ;;
      run:*) run_line=${line#run: } ;;
    esac
  done < "$case_file"
  if [ "$status" = 0 ]; then
    (cd "$WORK" && PATH="$bin_dir:$PATH" bash -c "$run_line") >"$WORK/.stdout" 2>"$WORK/.stderr"
    actual_exit=$?
    normalise <"$WORK/.stdout" >"$WORK/.stdout.n"
    normalise <"$WORK/.stderr" >"$WORK/.stderr.n"
    if [ "$actual_exit" != "$expected_exit" ]; then
      echo "FAIL $case_file: exit status $actual_exit, expected $expected_exit"
      status=1
    fi
    for stream in stdout stderr; do
      if ! diff -u <(section "$case_file" "$stream") "$WORK/.$stream.n" >"$WORK/.diff"; then
        echo "FAIL $case_file: $stream differs"
        sed 's/^/    /' "$WORK/.diff"
        status=1
      fi
    done
  fi
  rm -rf "$WORK"
  return $status
}

passed=0 failed=0
if [ $# -gt 0 ]; then cases=("$@"); else cases=("$cases_dir"/cases/*.t); fi
for case_file in "${cases[@]}"; do
  if run_case "$case_file"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "cli: $passed passed, $failed failed"
[ "$failed" = 0 ]
