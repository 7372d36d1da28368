# A municipality that exchanges logs as files: 'coop audit run' judges the
# statement and, as the daemon does, cosigns the coop's checkpoint as a
# witness.  (Was a bug: only a running daemon witnessed.)
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
setup: coop log export > coop.bundle 2>/dev/null && coop log import coop.bundle --dir muni >/dev/null
run: coop audit run --dir muni && coop audit run --dir muni && coop log --dir muni | grep -c cosignature
exit: 0
--- stdout
1 statements of residents: 1 acknowledged now, 0 disputed now, 0 checked before
1 coop checkpoints cosigned as a witness
1 statements of residents: 0 acknowledged now, 0 disputed now, 1 checked before
1
--- stderr
