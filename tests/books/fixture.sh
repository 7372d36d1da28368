#!/usr/bin/env bash
# Builds a realistic coop node for the books cross-check and by hand:
#   tests/books/fixture.sh DIR
# DIR/node is the coop (Samen Werkt, a social cooperative), DIR/breda and
# DIR/tilburg its two municipalities (each with a published rule set); DIR/members lists the member ids (one a
# line: id municipality name).  Five members, January to March 2026: revenue,
# costs, volunteer allowance, remittances to the municipalities, the coop's
# own costs, an opening balance, hours and other-income memos, two
# corrections (one of a memo), January and February closed (which books
# every member's profit split and development budget) and a development
# budget spend.  Most records come in
# through `coop import` (a comma CSV with quoted fields and a Dutch
# semicolon CSV), the rest through `coop record`.
#
# The clock is fixed (COOP_NOW_MS: 2026-03-31) so dates and closes are
# reproducible; member ids are random per run (enrolment draws new keys).
set -euo pipefail
dir=${1:?usage: fixture.sh DIR}
coop=${COOP_BIN:-coop}
export COOP_NOW_MS=${COOP_NOW_MS:-1775000000000}
mkdir -p "$dir"
export COOP_HOME="$dir/node"

"$coop" init --role coop --name "Samen Werkt Coöperatie" >/dev/null
"$coop" init --role municipality --name "Gemeente Breda" --dir "$dir/breda" >/dev/null
"$coop" init --role municipality --name "Gemeente Tilburg" --dir "$dir/tilburg" >/dev/null
key() { "$coop" id --dir "$1" -O json | sed -n 's/^ *"public_key": "\([0-9a-f]*\)".*/\1/p'; }

# Each municipality publishes its offset rule set; the coop imports their
# logs (closing a month computes every member's statement under them).
rule_set() { # municipality effective-from coop-pct
  cat <<JSON
{"municipality": "$1", "effective_from": "$2", "regime": "PW2015", "norm": 140150,
 "coop_pct": $3, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO",
 "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250,
 "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500,
 "months_34a": 12, "k_month": 22000, "k_year": 220000}
JSON
}
rule_set Breda 2026-01 1000 | "$coop" rules publish - --dir "$dir/breda" >/dev/null
rule_set Tilburg 2025-07 1500 | "$coop" rules publish - --dir "$dir/tilburg" >/dev/null
for municipality in breda tilburg; do
  "$coop" log export --dir "$dir/$municipality" >"$dir/$municipality.bundle" 2>/dev/null
  "$coop" log import "$dir/$municipality.bundle" >/dev/null
done

: >"$dir/members"
enrol() { # name municipality-dir client-ref birth
  local key_hex id
  key_hex=$(key "$dir/$2")
  id=$("$coop" member add --name "$1" --municipality "$key_hex" --client-ref "$3" --birth "$4")
  echo "$id $2 $1" >>"$dir/members"
  echo "$id"
}
anna=$(enrol "Anna de Vries" breda BR-1001 1990-04)
bram=$(enrol "Bram Jansen" breda BR-1002 1985-11)
chris=$(enrol "Chris Bakker" breda BR-1003 2001-02)
dewi=$(enrol "Dewi Pranoto" tilburg TB-77 1979-07)
emre=$(enrol "Emre Yilmaz" tilburg TB-78 1995-09)
"$coop" member set "$anna" --from 2026-01 --n-approved yes >/dev/null
"$coop" member set "$dewi" --from 2026-02 --single-parent yes >/dev/null

"$coop" record opening --amount 12500 --date 2026-01-01 --ref opening-2026 \
  --note "bank balance on 1 January" >/dev/null

# January to March: each member's revenue (two invoices), costs, allowance,
# hours and, for some, other income; the coop's rent; remittances.
csv="$dir/months.csv"
{
  echo 'type,member,amount,hours,date,ref,note'
  month_number=0
  for month in 01 02 03; do
    month_number=$((month_number + 1))
    member_number=0
    for member in "$anna" "$bram" "$chris" "$dewi" "$emre"; do
      member_number=$((member_number + 1))
      base=$((member_number * 137 + month_number * 41))
      echo "revenue,$member,\"$((base * 3)),50\",,2026-$month-05,inv-$month-$member_number-a,\"Invoice $month/$member_number, garden work\""
      echo "revenue,$member,$((base * 2)).25,,2026-$month-19,inv-$month-$member_number-b,"
      echo "cost,$member,$((base / 3)).10,,2026-$month-12,,\"Tools \"\"Gamma\"\"\""
      echo "allowance,$member,95,,2026-$month-25,alw-$month-$member_number,vrijwilligersvergoeding"
      echo "hours,$member,,$((40 + member_number * 8 + month_number)).5,2026-$month-28,hrs-$month-$member_number,"
      if [ $((member_number % 2)) = 1 ]; then
        echo "other-income,$member,$((200 + member_number * 10)),,2026-$month-27,,\"part-time job
(payslip seen)\""
      fi
    done
    echo "coop-cost,,850,,2026-$month-01,rent-$month,Rent workshop"
  done
} >"$csv"
"$coop" import "$csv" >/dev/null

# Remittances to the municipalities, from a Dutch spreadsheet (semicolons,
# decimal commas, CRLF line ends).
printf 'type;member;amount;date;ref;note\r\n' >"$dir/remit.csv"
for member in "$anna" "$bram" "$chris" "$dewi" "$emre"; do
  printf 'remittance;%s;125,40;2026-02-10;rem-01-%s;afdracht januari\r\n' "$member" "$member" >>"$dir/remit.csv"
  printf 'remittance;%s;98,15;2026-03-10;rem-02-%s;afdracht februari\r\n' "$member" "$member" >>"$dir/remit.csv"
done
"$coop" import "$dir/remit.csv" >/dev/null

"$coop" record coop-cost --amount 129.99 --date 2026-01-31 --ref insurance-2026 \
  --note "Liability insurance; yearly" >/dev/null
"$coop" record cost --member "$emre" --amount 45.60 --date 2026-01-20 --ref emre-fuel >/dev/null
"$coop" period close 2026-01 >/dev/null

# Emre's fuel was booked twice in effect; and Chris's January hours were
# wrong.  Both corrected in March, naming January.
fuel=$("$coop" reg -O csv | awk -F, '$5 == "emre-fuel"  && !found {print $1; found = 1}')
hours=$("$coop" reg -O csv | awk -F, '$5 == "hrs-01-3"  && !found {print $1; found = 1}')
"$coop" correct "$fuel" --reason "double booking" --date 2026-03-02 >/dev/null
"$coop" correct "$hours" --reason "hours were for February" --date 2026-03-02 >/dev/null
"$coop" record hours --member "$chris" --hours 57.5 --date 2026-02-28 --ref hrs-01-3-fixed >/dev/null
"$coop" period close 2026-02 >/dev/null

# Anna spends part of the development budget January's close gave her.
"$coop" record spend --member "$anna" --amount 100 --date 2026-03-15 --ref course-anna \
  --note "Course: bookkeeping basics" >/dev/null
