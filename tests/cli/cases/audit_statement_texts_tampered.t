# The audit tables keep each statement's plaintext (opened once, when its
# log was indexed) and the judge reads it there, not in the log: an edit of
# it (the statement's bytes zeroed) is caught by verify, which names the
# table and the log and suggests a rebuild; after it, verify passes, and
# the audit report is what it was.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
setup: coop log export > coop.bundle 2>/dev/null && coop log import --dir muni coop.bundle >/dev/null
setup: coop audit run --dir muni >/dev/null
setup: coop audit report --dir muni -p 2025-12 > before
setup: test "$(sqlite3 muni/coop.db "UPDATE audit_statements SET payload = zeroblob(length(payload)); SELECT changes()")" -ge 1
run: { coop verify --dir muni; coop rebuild --dir muni; coop verify --dir muni >/dev/null && echo verified; coop audit report --dir muni -p 2025-12 | cmp - before && echo "report unchanged"; } 2>&1 | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
coop: error: verify failed: the audit tables' statement texts of 'Breda Werkt' (log <HEX8>...) differ from the log; run 'coop rebuild'
rebuilt the books from 4 entries
rebuilt the audit tables from 11 entries of the logs held
verified
report unchanged
--- stderr
