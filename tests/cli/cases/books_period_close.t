# Closing an ended month; records dated in it are refused from then on.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1
run: coop period close 2025-12 && coop record revenue --member $(cat id) --amount 10 --date 2025-12-31; coop period close 2025-12; coop correct 7 --reason "late" --date 2025-12-31
exit: 1
--- stdout
closed 2025-12
--- stderr
coop: error: period 2025-12 is closed: date it in an open month with --for-month 2025-12 (it then counts in 2025-12, and that month's statement is reissued at the next close)
coop: error: period 2025-12 is already closed
coop: error: period 2025-12 is closed: date it in an open month with --for-month 2025-12 (it then counts in 2025-12, and that month's statement is reissued at the next close)
