# The html statement escapes every value from the books (a member named
# "<script>"), and shows the client ref, the rule set's fingerprint to
# compare and the municipality's verdict.  (Was a bug: the name went into
# the page raw; client ref, rule set and verdict were missing.)
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop member add --name "<script>alert(1)</script>" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref "A&B-1" --birth 1990-04 > id
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
run: coop statement --member $(cat id) -p 2025-12 -O html > page.html; grep -c "<script" page.html; grep -o "&lt;script&gt;alert(1)&lt;/script&gt; ([^)]*), klantnummer A&amp;B-1" page.html | sed "s/$(cat id)/MEMBER/"; grep -o "Rekenregels van <strong>" page.html; grep -o "Gemeente: nog niet gecontroleerd" page.html; grep -c 'class="sub"' page.html
exit: 0
--- stdout
0
&lt;script&gt;alert(1)&lt;/script&gt; (MEMBER), klantnummer A&amp;B-1
Rekenregels van <strong>
Gemeente: nog niet gecontroleerd
4
--- stderr
