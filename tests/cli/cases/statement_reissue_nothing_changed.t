# A reissue that would change nothing (same inputs, figures, carried state,
# rule set) of a statement the municipality acknowledged is refused, naming
# why; nothing is appended.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
setup: coop log export > coop.bundle 2>/dev/null && coop log import coop.bundle --dir muni >/dev/null
setup: coop audit run --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop checkpoint | sed -n 's/^size: *//p' > size.before
run: coop statement reissue --member $(cat id) -p 2025-12 2>&1 | sed "s/$(cat id)/MEMBER/"; coop checkpoint | sed -n 's/^size: *//p' | cmp - size.before && echo "nothing appended"
exit: 0
--- stdout
coop: error: nothing would change: the statement of MEMBER for 2025-12 in entry 8 already has these inputs, figures, carried state and rule set, and the municipality has not disputed it (it acknowledged it); a reissue is for a month whose facts or rules changed, or to answer a dispute
nothing appended
--- stderr
