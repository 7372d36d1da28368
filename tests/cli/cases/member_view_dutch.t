# 'coop member view' is read by the member: Dutch first (month names, "1234,56",
# the municipality's verdict in words), English with --lang en, a wrong
# --lang is a usage error.  (Was: an English-only table.)
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality breda --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop record revenue --member $(cat id) --amount 1234,56 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
run: coop member view "Anna de Vries" | sed "s/$(cat id)/m-ID/"; coop member view BR-1001 --lang en | tail -1; coop member view BR-1001 --lang de; echo "exit $?"; coop member view m-000000; echo "exit $?"
exit: 0
--- stdout
Anna de Vries (m-ID), Breda Werkt
maand              verdiend       kosten   coöperatie     gemeente  ontw.budget      besteed  oordeel gemeente
december 2025       1234,56         0,00       123,46      1111,10         0,00         0,00  nog niet gecontroleerd
December 2025       1234.56         0.00       123.46      1111.10         0.00         0.00  not checked yet
exit 2
exit 1
--- stderr
coop: error: unknown language 'de' (expected nl or en)
see 'coop member --help'
coop: error: geen maanden van lid 'm-000000' leesbaar op deze node / no months of member 'm-000000' readable on this node
