# Real months: a fact from a closed month needs --retroactive (refused, naming
# the months, nothing written); with it the municipality's report says
# "reissue due" and the next close reissues those months first; a figure
# of a closed month goes in with --for-month; a correction of a closed
# month says it is reissued at the next close.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop period open 2025-10 >/dev/null
setup: coop member add --name "Anna de Vries" --municipality breda --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 900 --date 2025-10-10 --ref oct >/dev/null
setup: coop record revenue --member $(cat id) --amount 800 --date 2025-11-10 --ref nov >/dev/null
setup: coop period close 2025-10 >/dev/null && coop period close 2025-11 >/dev/null
run: { A=$(cat id); audit() { coop log export > c.bundle 2>/dev/null && coop log import --dir muni c.bundle >/dev/null && coop audit run --dir muni >/dev/null; }; audit; coop member set $A --n-approved yes --from 2025-10; echo "without: $?"; coop member set $A --n-approved yes --from 2025-10 --retroactive; audit; coop audit report --dir muni -p 2025-10 -O json | grep -E '"status"|"reissue_cause"'; coop record revenue --member $A --amount 50 --date 2025-12-03 --for-month 2025-12; echo "open month: $?"; coop record revenue --member $A --amount 50 --date 2025-12-03 --for-month 2025-11 --ref late; coop correct 8 --reason "belonged to another member" --date 2025-12-04; coop period close 2025-12; audit; coop audit report --dir muni -p 2025-11 -O json | grep '"status"'; coop member set $A --name "Anna Jansen"; coop member set $A --name X --from 2025-12; echo "both: $?"; coop statement --member $A -p 2025-10 --all -O json | grep -E '"entry_index"|"replaces"|"status"'; } 2>&1 | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
coop: error: from 2025-10 reaches back into closed months: it changes the statements of MEMBER for 2025-10 to 2025-11; if that is right, add --retroactive (those months are reissued at the next close, and the municipality checks the reissues)
without: 1
recorded n-approved of MEMBER from 2025-10
the closed months it changes are reissued at the next 'coop period close'
    "status": "reissue due",
    "reissue_cause": 16
coop: error: --for-month 2025-12: not a closed month before the record's date (2025-12); a record of an open month is simply dated in it
open month: 1
recorded entry 17 (ref late)
entry 18 corrects entry 8: booked on 2025-12-04, counts in 2025-10
2025-10 is closed: its statement is reissued at the next 'coop period close' (and every later month it carries into)
reissued the statement of MEMBER for 2025-10 as entry 19 (replaces entry 10)
reissued the statement of MEMBER for 2025-11 as entry 21 (replaces entry 13)
closed 2025-12
    "status": "acknowledged",
recorded new details of MEMBER: from now on
coop: error: 'member set' changes details (--name, --client-ref, --member-key) or one fact with --from, not both
see 'coop member --help'
both: 2
    "entry_index": 19,
      "status": "pending"
    "replaces": 10
    "entry_index": 10,
      "status": "pending"
    "replaces": null
--- stderr
