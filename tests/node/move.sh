#!/usr/bin/env bash
# A member moves to another municipality, with real processes (every step
# a `coop` command; logs travel between the coop and the two
# municipalities as files, as `coop sync` would carry them):
#
#   tests/node/move.sh COOP_BIN
#
# Anna earns in January to March 2026 and moves from Breda to Tilburg with
# effect from March.  Breda acknowledges January and February, Tilburg
# March; Breda's report for March does not list her and Breda cannot open
# any entry of her March (records, statement); Tilburg's lists her for
# March only.  March's statement uses Tilburg's rules and starts from fresh
# counters.  Every bad move (unknown municipality, a partner's key, the
# same municipality, a month before her enrolment, a closed month, a
# client ref Tilburg has given to someone else) is refused with a message
# naming it, exit 1, and nothing written.  A fact from January recorded in
# April reissues January and February for Breda and March for Tilburg
# (still from fresh counters), all acknowledged.
#
# Each check prints "ok   NAME" or "FAIL NAME: why", then one line
# "node-move: N passed, M failed"; exit 1 on any failure.
set -u
COOP=${1:?usage: move.sh COOP_BIN}
. "$(dirname "$0")/lib.sh" move

# ---- Setup: two municipalities, a partner, a coop that knows them -----------------------------

breda_tilburg
coop init --role partner --name "Partner" --dir "$work/partner" >/dev/null &&
  partner_key=$(key_of "$work/partner") &&
  coop peer add --dir "$coop" --key "$partner_key" --role partner --name partner >/dev/null ||
  { echo "FAIL setup: partner"; exit 1; }

# listed MUNI MONTH: "member_id status client_ref" of each row of MUNI's report.
listed() { coop audit report --dir "$1" -p "$2" -O json |
  json '" ".join(r["member"]+":"+r["status"]+":"+r["client_ref"] for r in d)'; }

earn() { # MONTH
  coop record revenue --dir "$coop" --member "$anna" --amount 900 --date "$1-10" --ref "a-$1" >/dev/null &&
    coop record cost --dir "$coop" --member "$anna" --amount 120 --date "$1-12" --ref "ac-$1" >/dev/null &&
    coop record revenue --dir "$coop" --member "$bo" --amount 700 --date "$1-11" --ref "b-$1" >/dev/null
}
close() { on "$(date -u -d "$1-01 +1 month" +%Y-%m)-02" && coop period close "$1" --dir "$coop" >/dev/null; }
for month in 2026-01 2026-02; do
  on "$month-20"
  earn "$month" && close "$month" || { echo "FAIL setup: $month"; exit 1; }
done
audit "$breda" && audit "$tilburg" || { echo "FAIL setup: audit"; exit 1; }

# ---- Bad moves: refused, naming what, nothing written ------------------------------------------

on 2026-03-03
refused() { # NAME EXPECTED-TEXT ARGS...: exit 1, message, log and books unchanged, verify ok
  local name=$1 text=$2
  shift 2
  local size bal rc
  size=$(size_of "$coop") bal=$(coop bal --dir "$coop" -O json)
  coop member set "$anna" "$@" --dir "$coop" >"$work/out" 2>&1
  rc=$?
  if [ $rc = 1 ] && grep -q -- "$text" "$work/out" && [ "$(size_of "$coop")" = "$size" ] &&
    [ "$(coop bal --dir "$coop" -O json)" = "$bal" ] && coop verify --dir "$coop" >/dev/null; then
    ok "refused: $name ($(head -c 150 "$work/out"))"
  else
    fail "refused: $name" "exit $rc: $(cat "$work/out")"
  fi
}
refused "unknown municipality name" "nowhere" --municipality nowhere --from 2026-03
refused "unknown municipality key" "no municipality with key" --municipality "$(printf '%064d' 7 | tr 0 a)" --from 2026-03
refused "a partner, not a municipality" "not a municipality" --municipality partner --from 2026-03
refused "the same municipality" "already lives in municipality" --municipality breda --from 2026-03
refused "a month before her enrolment" "before member $anna was enrolled (2026-01)" --municipality tilburg --from 2025-12
refused "a closed month" "2026-02 is a closed month (closed: 2026-01 to 2026-02)" --municipality tilburg --from 2026-02
refused "a client ref Tilburg gave Bo" "client ref 'TB-7' of this municipality already belongs to member $bo" --municipality tilburg --from 2026-03 --client-ref TB-7

# ---- The move ------------------------------------------------------------------------------------

before=$(size_of "$coop")
if coop member set "$anna" --municipality tilburg --from 2026-03 --client-ref TB-88 --dir "$coop" >"$work/out" 2>&1 &&
  grep -q "recorded the move of $anna to municipality Gemeente Tilburg" "$work/out" &&
  [ "$(size_of "$coop")" -gt "$before" ] && coop verify --dir "$coop" >/dev/null; then
  ok "move: recorded from 2026-03 with Tilburg's client ref ($(cat "$work/out"))"
else
  fail "move" "$(cat "$work/out")"
fi
refused "a second move from the same month" "moved from 2026-03 already" --municipality breda --from 2026-03

show() { coop member show "$anna" --dir "$coop" -p "$1" -O json | json 'd["municipality"]+" "+d["client_ref"]'; }
if [ "$(show 2026-02)" = "$breda_key BR-1001" ] && [ "$(show 2026-03)" = "$tilburg_key TB-88" ] &&
  coop member list --dir "$coop" | grep "$anna" | grep -q "Gemeente Tilburg.*TB-88\|TB-88.*Gemeente Tilburg"; then
  ok "member show -p names the municipality and client ref of the month shown; member list the current one"
else
  fail "member show/list" "$(show 2026-02) / $(show 2026-03) / $(coop member list --dir "$coop" | grep "$anna")"
fi

n_in() { coop member show "$anna" --dir "$coop" -p "$1" -O json | json 'str(d["status"]["n_approved"])'; }
if [ "$(n_in 2026-02)" = "True" ] && [ "$(n_in 2026-03)" = "False" ]; then
  ok "Breda's approval of disregard n holds in February, not in Tilburg from March"
else
  fail "n approval across the move" "feb $(n_in 2026-02) mar $(n_in 2026-03)"
fi
# Tilburg approves disregard n itself (an approval is the municipality's
# decision: Breda's does not carry over).
coop member set "$anna" --n-approved yes --from 2026-03 --dir "$coop" >/dev/null ||
  fail "n approval in Tilburg" "refused"
on 2026-03-20
earn 2026-03 && close 2026-03 || fail "March" "records or close failed"
audit "$breda" && audit "$tilburg" || fail "audit after the move" "$(cat "$work/audit.out")"

# ---- Who judges which month ----------------------------------------------------------------------

b1=$(listed "$breda" 2026-01) b2=$(listed "$breda" 2026-02) b3=$(listed "$breda" 2026-03)
t2=$(listed "$tilburg" 2026-02) t3=$(listed "$tilburg" 2026-03)
if [ "$b1" = "$anna:acknowledged:BR-1001" ] && [ "$b2" = "$anna:acknowledged:BR-1001" ] && [ -z "$b3" ]; then
  ok "Breda acknowledged January and February; its report for March does not list her"
else
  fail "Breda's reports" "jan '$b1' feb '$b2' mar '$b3'"
fi
case " $t3 " in
*" $anna:acknowledged:TB-88 "*) t3_ok=1 ;;
*) t3_ok=0 ;;
esac
case " $t2 " in
*"$anna"*) t2_ok=0 ;;
*) t2_ok=1 ;;
esac
if [ $t3_ok = 1 ] && [ $t2_ok = 1 ]; then
  ok "Tilburg acknowledged her March (client ref TB-88); its February report does not list her"
else
  fail "Tilburg's reports" "feb '$t2' mar '$t3'"
fi

statement() { coop statement --dir "$coop" --member "$anna" -p "$1" -O json; }
march_rules=$(statement 2026-03 | json 'd["rule_set"]["log_id"]+" "+d["client_ref"]')
feb_rules=$(statement 2026-02 | json 'd["rule_set"]["log_id"]+" "+d["client_ref"]')
if [ "$march_rules" = "$tilburg_key TB-88" ] && [ "$feb_rules" = "$breda_key BR-1001" ]; then
  ok "March's statement uses Tilburg's rule set and client ref, February's Breda's"
else
  fail "rule sets" "feb $feb_rules mar $march_rules"
fi

# Fresh counters: Breda's months used two of the six months of disregard n;
# March in Tilburg is the first of its own.
used() { statement "$1" | json 'd["statement"]["disregard_kind"]+" "+str(d["statement"]["n_used"])'; }
if [ "$(used 2026-01)" = "n 1" ] && [ "$(used 2026-02)" = "n 2" ] && [ "$(used 2026-03)" = "n 1" ]; then
  ok "the carried state starts afresh in Tilburg: disregard n months used $(used 2026-01 | cut -d' ' -f2), $(used 2026-02 | cut -d' ' -f2), then $(used 2026-03 | cut -d' ' -f2)"
else
  fail "fresh counters" "jan '$(used 2026-01)' feb '$(used 2026-02)' mar '$(used 2026-03)'"
fi

# ---- Privacy: Breda cannot open her March ---------------------------------------------------------

coop_key=$(key_of "$coop")
march_entries=$(coop log --dir "$coop" -O json | python3 -c "
import json, sys
print(' '.join(str(e['index']) for e in json.load(sys.stdin)
      if e['readable'] and e['kind'] in ('transaction', 'statement') and e['timestamp'] >= $(($(date -u -d '2026-03-03' +%s) * 1000))
      and ('$anna' in json.dumps(e['payload']) or 'Anna' in json.dumps(e['payload']) or 'a-2026-03' in json.dumps(e['payload']))))")
readable_at() { # DIR INDEXES...: the readable flags of those entries of the coop's log there
  local dir=$1
  shift
  coop log --dir "$dir" --log "$coop_key" -O json | python3 -c "
import json, sys
want = set(int(i) for i in sys.argv[1:])
print(' '.join(str(e['readable']).lower() for e in json.load(sys.stdin) if e['index'] in want))" "$@"
}
at_breda=$(readable_at "$breda" $march_entries)
at_tilburg=$(readable_at "$tilburg" $march_entries)
if [ -n "$march_entries" ] && ! echo "$at_breda" | grep -q true && ! echo "$at_tilburg" | grep -q false; then
  ok "Breda cannot open any of her March entries (entries $march_entries), Tilburg opens them all"
else
  fail "privacy" "entries '$march_entries' at Breda '$at_breda' at Tilburg '$at_tilburg'"
fi
months_at() { coop member view "$anna" --dir "$1" -O json 2>/dev/null | json '" ".join(m["period"] for m in d)'; }
if [ "$(months_at "$breda")" = "2026-01 2026-02" ] && [ "$(months_at "$tilburg")" = "2026-03" ] &&
  ! coop statement --dir "$breda" --member "$anna" -p 2026-03 >/dev/null 2>&1; then
  ok "member view: Breda sees her January and February only, Tilburg her March only; Breda has no March statement"
else
  fail "member view" "breda '$(months_at "$breda")' tilburg '$(months_at "$tilburg")'"
fi
# ---- A fact from before the move, found later: each side reissued in its residence -------------

on 2026-04-10
coop member set "$anna" --medical-limit yes --from 2026-01 --retroactive --dir "$coop" >/dev/null ||
  fail "retroactive fact" "refused"
earn 2026-04
on 2026-05-02
coop period close 2026-04 --dir "$coop" >"$work/close.out" 2>&1 || fail "April close" "$(cat "$work/close.out")"
audit "$breda" && cp "$work/audit.out" "$work/audit-breda.out" && audit "$tilburg" ||
  fail "audit after the reissues" "$(cat "$work/audit.out")"
reissued=$(grep -c "^reissued the statement of $anna for 2026-0[123]" "$work/close.out")
flags() { statement "$1" | json 'str(d["inputs"]["medical_hours_limit"])+" "+str(d["replaces"] is not None)'; }
if [ "$reissued" = 3 ] && [ "$(listed "$breda" 2026-01)" = "$anna:acknowledged:BR-1001" ] &&
  [ "$(listed "$breda" 2026-02)" = "$anna:acknowledged:BR-1001" ] && [ -z "$(listed "$breda" 2026-03)" ] &&
  case " $(listed "$tilburg" 2026-03) $(listed "$tilburg" 2026-04) " in
  *" $anna:acknowledged:TB-88 "*" $anna:acknowledged:TB-88 "*) true ;; *) false ;; esac &&
  grep -q " 0 disputed" "$work/audit-breda.out" && grep -q " 0 disputed" "$work/audit.out" &&
  [ "$(flags 2026-01)" = "True True" ] && [ "$(flags 2026-03)" = "True True" ] &&
  [ "$(used 2026-03)" = "n 1" ]; then
  ok "a fact from January recorded after the move: January-March reissued, Breda acknowledged January and February, Tilburg March (still from fresh counters) and April; nothing disputed"
else
  fail "reissue across the move" "reissued $reissued: $(cat "$work/close.out") / breda $(cat "$work/audit-breda.out") / tilburg $(cat "$work/audit.out") / jan $(flags 2026-01) mar $(flags 2026-03) $(used 2026-03) / t3 '$(listed "$tilburg" 2026-03)' t4 '$(listed "$tilburg" 2026-04)'"
fi

# Her own node reads both residences: each month with its municipality.
carry "$coop" "$work/anna-node" && carry "$breda" "$work/anna-node" && carry "$tilburg" "$work/anna-node"
own=$(coop member view --dir "$work/anna-node" -O json 2>/dev/null |
  json '" ".join(m["period"]+":"+m["municipality"][:8]+":"+m["verdict"] for m in d)')
if [ "$own" = "2026-01:${breda_key:0:8}:acknowledged 2026-02:${breda_key:0:8}:acknowledged 2026-03:${tilburg_key:0:8}:acknowledged 2026-04:${tilburg_key:0:8}:acknowledged" ] &&
  coop member view --dir "$work/anna-node" | grep -q "^vanaf 2026-03: gemeente Gemeente Tilburg ("; then
  ok "her own node shows every month with its municipality and verdict, and where she moved"
else
  fail "her own node" "'$own' / $(coop member view --dir "$work/anna-node" 2>&1 | head -8)"
fi

if coop verify --dir "$coop" >/dev/null && coop rebuild --dir "$coop" >/dev/null &&
  coop verify --dir "$coop" >/dev/null && [ "$(show 2026-02)" = "$breda_key BR-1001" ] &&
  [ "$(show 2026-03)" = "$tilburg_key TB-88" ]; then
  ok "verify, rebuild, verify: the books' moves are a replay of the log"
else
  fail "rebuild" "verify or rebuild failed"
fi

echo "node-move: $passed passed, $failed failed"
[ "$failed" = 0 ]
