# Rows in a closed month are refused, unless already recorded under their ref.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle
setup: printf 'type,member,amount,date,ref\nrevenue,%s,10,2025-12-05,dec-1\n' $(cat id) > dec.csv
setup: coop import dec.csv && coop period close 2025-12
setup: printf 'type,member,amount,date,ref\nrevenue,%s,10,2025-12-05,dec-1\nrevenue,%s,10,2025-12-06,dec-2\n' $(cat id) $(cat id) > more.csv
run: coop import dec.csv && coop import more.csv
exit: 1
--- stdout
imported 0 records (1 already there)
--- stderr
coop: error: more.csv:3: period 2025-12 is closed: date it in an open month with --for-month 2025-12 (it then counts in 2025-12, and that month's statement is reissued at the next close)
coop: error: more.csv: 1 bad row; nothing imported
