#!/usr/bin/env bash
# The month close's view kept in a file beside the database
# (close-view.cache, node/close_view_file.h), so that a one-shot
# `coop period close` reads only what was appended since the last close:
#   tests/node/close_view.sh build/cli/coop
# - the first close reads the log and writes the file, mode 0600;
# - the next close starts from it (COOP_DEBUG_CLOSE_VIEW says so; "check"
#   compares it with a fresh read of the log first), sees the records and
#   the status fact added since (a reissue of January), and writes
#   payloads byte for byte those of a copy of the node without the file;
# - the second and third closes append a segment each (the same inode, a
#   longer file), and after two appends the view still equals a fresh read;
# - a file cut inside its last segment, or with a byte changed in it, is
#   used up to the segment before (the view of that close, equal to a
#   fresh read), the close's payloads again those of a copy without it,
#   and the file is then written whole;
# - a file with one byte changed in its first segment, or cut short inside
#   it, is not used: the close reads the log and its entries are again
#   those of a copy without it;
# - a file of another version, or readable by others, is not used;
# - `coop member erase` removes it (her name was in it), and the next
#   close writes one without her; `coop rebuild` removes it.
COOP=$(realpath "${1:?usage: close_view.sh COOP}")
. "$(dirname "$0")/lib.sh" close-view

breda_tilburg
cd "$work" || exit 1
file=$coop/close-view.cache

# close MONTH DIR [DEBUG]: closes MONTH, its stderr (the debug lines) in close.err.
# The coop's own closes' lines are also kept in own.err (a twin's close
# overwrites close.err).
close() {
  local status=0
  COOP_DEBUG_CLOSE_VIEW=${3:-1} coop period close "$1" --dir "$2" >/dev/null 2>close.err || status=$?
  [ "$2" = "$coop" ] && cp close.err own.err
  return $status
}
# payloads DIR: the log's entries without their leaf hashes (the sealing
# nonces are random): index, kind, time, audience and the plaintext bytes.
payloads() {
  coop log -O json --dir "$1" | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    e.pop("leaf_hash", None)
    print(json.dumps(e, sort_keys=True))'
}
# twin: a copy of the coop as it is now, without the file (a node that
# never had one), in $work/twin.
twin() { rm -rf "$work/twin" && cp -a "$coop" "$work/twin" && rm -f "$work/twin/close-view.cache"; }
# same_as_twin LABEL MONTH: closes MONTH in the twin too, then compares the
# two logs' payloads and the members' statements of MONTH.
same_as_twin() {
  if ! close "$2" "$work/twin" 1 2>/dev/null || ! grep -q "close view: read the log" close.err; then
    fail "$1" "the twin's close: $(cat close.err)"
    return
  fi
  local differs=""
  diff <(payloads "$coop") <(payloads "$work/twin") >payloads.diff || differs="log payloads"
  for who in "$anna" "$bo"; do
    cmp -s <(coop statement --member "$who" -p "$2" -O json --dir "$coop" 2>&1) \
      <(coop statement --member "$who" -p "$2" -O json --dir "$work/twin" 2>&1) ||
      differs="$differs statement of $who"
  done
  if [ -n "$differs" ]; then
    fail "$1" "$differs: $(head -4 payloads.diff)"
  else
    ok "$1"
  fi
}
# not_used LABEL MONTH WHY: the close of MONTH does not use the file (WHY
# in its words), reads the log, and writes what a node without it writes.
not_used() {
  if close "$2" "$coop" check && grep -q "close view: file not used: $3" close.err &&
    grep -q "close view: read the log" close.err; then
    ok "$1"
  else
    fail "$1" "$(cat close.err)"
  fi
  same_as_twin "... and its payloads equal those of a node without the file" "$2"
}
# file_id: the file's inode and size.
file_id() { stat -c '%i %s' "$file"; }
# appended_to LABEL BEFORE SEGMENTS: the close just run appended a segment
# (the SEGMENTS-th) to the file BEFORE (file_id): the same inode, longer.
appended_to() {
  local inode size
  read -r inode size <<<"$2"
  if grep -q "file written (size [0-9]*, appended, [0-9]* bytes, segment $3," own.err &&
    [ "$(stat -c %i "$file")" = "$inode" ] && [ "$(stat -c %s "$file")" -gt "$size" ]; then
    ok "$1"
  else
    fail "$1" "before: $2, now: $(file_id); $(cat own.err)"
  fi
}
# close_appends LABEL MONTH SEGMENTS [DEBUG]: closes MONTH, which must
# append the SEGMENTS-th segment to the file.
close_appends() {
  local before
  before=$(file_id)
  close "$2" "$coop" "${4:-1}"
  appended_to "$1" "$before" "$3"
}
# written_size: the log size of the view the coop's last close wrote.
written_size() { sed -n 's/^close view: file written (size \([0-9]*\),.*/\1/p' own.err; }
# close_used_file MONTH SIZE: did the close just run of MONTH start from the
# file's view of the log's first SIZE entries?
close_used_file() { grep -q "close view: kept (size $2, from the file" close.err; }
# from_older_segments LABEL MONTH SEGMENTS SIZE WHY: the close of MONTH uses
# the file's first SEGMENTS segments (the view of SIZE entries), drops the
# rest for WHY, equals a fresh read, and writes what a node without it writes.
from_older_segments() {
  if close "$2" "$coop" check && grep -q "close view: file: $3 segments used, .*($5" close.err &&
    close_used_file "$2" "$4" && grep -q "file checked against the log: the same" close.err; then
    ok "$1"
  else
    fail "$1" "$(cat close.err)"
  fi
  same_as_twin "... and its payloads equal those of a node without the file" "$2"
}
revenue() { # MEMBER AMOUNT DATE REF
  coop record revenue --member "$1" --amount "$2" --date "$3" --ref "$4" --dir "$coop" >/dev/null
}

# ---- January: the first close reads the log and writes the file ----------
on 2026-01-20
revenue "$anna" 500 2026-01-10 a1 && revenue "$bo" 300 2026-01-11 b1 || exit 1
on 2026-02-02
if close 2026-01 "$coop" && grep -q "close view: read the log" close.err &&
  grep -q "close view: file written" close.err; then
  ok "the first close reads the log and writes the file"
else
  fail "the first close reads the log and writes the file" "$(cat close.err)"
fi
mode=$(stat -c %a "$file" 2>/dev/null)
if [ "$mode" = 600 ]; then
  ok "the file is there, mode 0600"
else
  fail "the file is there, mode 0600" "mode '$mode'"
fi

# ---- February: from the file, with what came since ------------------------
on 2026-02-10
revenue "$anna" 700 2026-02-10 a2 && revenue "$bo" 250 2026-02-12 b2 || exit 1
# A status fact from January, stated after its close: January is due.
coop member set "$bo" --n-approved yes --from 2026-01 --retroactive --dir "$coop" >/dev/null || exit 1
twin
on 2026-03-02
file_before=$(file_id)
if close 2026-02 "$coop" check && grep -q "close view: kept (size" close.err &&
  grep -q "from the file" close.err &&
  grep -q "close view: file checked against the log: the same" close.err; then
  ok "the next close starts from the file, which equals a fresh read"
else
  fail "the next close starts from the file, which equals a fresh read" "$(cat close.err)"
fi
appended_to "the second close appends a segment to the file (same inode, longer)" \
  "$file_before" 2
revenue_feb=$(coop statement --member "$anna" -p 2026-02 -O json --dir "$coop" |
  json 'd["inputs"]["revenue"]')
bo_jan=$(coop statement --member "$bo" -p 2026-01 -O json --dir "$coop" |
  json 'str(d["inputs"]["n_approved"]) + " " + str(d["replaces"] is not None)')
if [ "$revenue_feb" = 70000 ] && [ "$bo_jan" = "True True" ]; then
  ok "records and facts added since the last close are seen (January reissued)"
else
  fail "records and facts added since the last close are seen" "revenue $revenue_feb, bo $bo_jan"
fi
same_as_twin "the payloads equal those of a node that never had the file" 2026-02
feb_size=$(written_size)

# ---- March: a third close appends again; the view still a fresh read's -----
on 2026-03-10
revenue "$anna" 900 2026-03-10 a3 && revenue "$bo" 100 2026-03-11 b3 || exit 1
twin
on 2026-04-02
close_appends "the third close appends a third segment" 2026-03 3 check
if close_used_file 2026-03 "$feb_size" && grep -q "file checked against the log: the same" close.err; then
  ok "after two appends the file's view equals a fresh read of the log"
else
  fail "after two appends the file's view equals a fresh read of the log" "$(cat close.err)"
fi
same_as_twin "... and the payloads equal those of a node that never had the file" 2026-03

# ---- April: the file cut inside its last segment: the two before are used ---
on 2026-04-10
revenue "$anna" 400 2026-04-10 a4 && revenue "$bo" 450 2026-04-11 b4 || exit 1
twin
truncate -s $(($(stat -c %s "$file") - 40)) "$file"
on 2026-05-02
from_older_segments "a file cut inside its last segment: the segments before it are used" \
  2026-04 2 "$feb_size" "truncated or malformed"
if grep -q "file written (size [0-9]*, whole" own.err; then
  ok "... and the file is then written whole (it is not the one its mark says)"
else
  fail "... and the file is then written whole" "$(cat own.err)"
fi
apr_size=$(written_size)

# ---- May and June: a byte changed in the last segment ---------------------------
on 2026-05-10
revenue "$anna" 100 2026-05-10 a5 || exit 1
on 2026-06-02
close_appends "after a whole write the next close appends again" 2026-05 2
on 2026-06-10
revenue "$bo" 120 2026-06-10 b6 || exit 1
twin
bytes=$(stat -c %s "$file")
printf '\x5a' | dd of="$file" bs=1 seek=$((bytes - 100)) conv=notrunc 2>/dev/null
on 2026-07-02
from_older_segments "a byte changed in the last segment: that segment is not used, the one before is" \
  2026-06 1 "$apr_size" "its tag does not verify"

# ---- July: a byte changed in the first segment: nothing is used -----------------
on 2026-07-10
revenue "$anna" 900 2026-07-10 a7 && revenue "$bo" 100 2026-07-11 b7 || exit 1
twin
printf '\x5a' | dd of="$file" bs=1 seek=60 conv=notrunc 2>/dev/null
on 2026-08-02
not_used "a file with a byte changed in its first segment is not used: the close reads the log" \
  2026-07 "its tag does not verify"

# ---- August: cut short inside its only segment ----------------------------------
on 2026-08-10
revenue "$anna" 400 2026-08-10 a8 && revenue "$bo" 450 2026-08-11 b8 || exit 1
twin
truncate -s $(($(stat -c %s "$file") / 3)) "$file"
on 2026-09-02
not_used "a truncated file is not used: the close reads the log" 2026-08 ""

# ---- September: another version; October: readable by others --------------------
on 2026-09-10
revenue "$anna" 100 2026-09-10 a9 || exit 1
cp "$file" good.cache
printf '\x01' | dd of="$file" bs=1 seek=7 conv=notrunc 2>/dev/null
chmod 644 good.cache
cp -p good.cache "$coop/other.cache"
on 2026-10-02
if close 2026-09 "$coop" && grep -q "file not used: another format version" close.err; then
  ok "a file of another format version (1, before segments) is not used"
else
  fail "a file of another format version is not used" "$(cat close.err)"
fi
on 2026-10-10
revenue "$anna" 100 2026-10-10 a10 || exit 1
mv "$coop/other.cache" "$file"
on 2026-11-02
if close 2026-10 "$coop" && grep -q "file not used: unsafe permissions" close.err &&
  [ "$(stat -c %a "$file")" = 600 ]; then
  ok "a file others can read is not used (and is written again, 0600)"
else
  fail "a file others can read is not used" "$(cat close.err); mode $(stat -c %a "$file")"
fi

# ---- the erasure: her name must not survive in the file -----------------------
# First one more close, so that the file she is in has two segments.
on 2026-11-10
revenue "$anna" 300 2026-11-10 a11 || exit 1
on 2026-12-01
close_appends "before the erasure the file has two segments" 2026-11 2
if grep -q "Anna de Vries" "$file"; then
  ok "the file holds the members' names (so the next check can fail)"
else
  fail "the file holds the members' names" "not found"
fi
on 2026-12-01
coop member set "$anna" --left --from 2026-12 --dir "$coop" >/dev/null || exit 1
if coop member erase "$anna" --reason "verzoek" --before-retention --dir "$coop" >erase.out 2>&1 &&
  [ ! -e "$file" ]; then
  ok "'coop member erase' removes the file"
else
  fail "'coop member erase' removes the file" "$(cat erase.out); $(ls "$coop")"
fi
on 2026-12-10
revenue "$bo" 200 2026-12-10 b12 || exit 1
on 2027-01-02
if close 2026-12 "$coop" && grep -q "close view: read the log" close.err && [ -e "$file" ] &&
  ! grep -q "Anna de Vries" "$file" && ! grep -q "BR-1001" "$file" && grep -q "Bo Jansen" "$file"; then
  ok "the next close writes a file without her name or client ref"
else
  fail "the next close writes a file without her" "$(cat close.err)"
fi

# ---- a rebuild: the next close reads the log afresh -----------------------------
if coop rebuild --dir "$coop" >/dev/null 2>rebuild.err && [ ! -e "$file" ]; then
  ok "'coop rebuild' removes the file"
else
  fail "'coop rebuild' removes the file" "$(cat rebuild.err); $(ls "$coop")"
fi

echo "node-close-view: $passed passed, $failed failed"
[ "$failed" = 0 ]
