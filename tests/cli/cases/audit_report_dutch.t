# The officer's text report is Dutch (header, 'akkoord', 455,29), English with
# --lang en; csv keeps the English status name for the benefits system; a
# wrong --lang is a usage error.  (Was: English only.)
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality breda --client-ref BR-1001 --birth 1990-04 > id
setup: echo '{"municipality": "Breda", "effective_from": "2025-01", "regime": "PW2015", "norm": 140150, "coop_pct": 1000, "distribution": "STATUTORY", "muni_pct": 0, "loss_rule": "FLOOR_ZERO", "min_age_nrk": 27, "pct_n": 2500, "cap_n": 28500, "n_months": 6, "pct_r": 1250, "cap_r": 17766, "r_months": 30, "pct_y": 1500, "cap_y": 18019, "pct_34a": 1500, "months_34a": 12, "k_month": 22000, "k_year": 220000}' | coop rules publish - --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop record revenue --member $(cat id) --amount 1200 --date 2025-12-05 --ref inv-1 >/dev/null
setup: coop period close 2025-12 >/dev/null
setup: coop log export > coop.bundle 2>/dev/null && coop log import coop.bundle --dir muni >/dev/null && coop audit run --dir muni >/dev/null
run: { coop audit report --dir muni -p 2025-12; coop audit report --dir muni -p 2025-12 --lang en; coop audit report --dir muni -p 2025-12 -O csv | cut -d, -f1,10; coop audit report --dir muni -p 2025-11; coop audit report --dir muni -p 2025-12 --lang de; echo "exit $?"; } 2>&1 | sed "s/$(cat id)/m-ID    /"
exit: 0
--- stdout
klantnummer    lid       naam                     entry getelde ink.  verrekening    uitkering    naar gem.  oordeel
BR-1001        m-ID      Anna de Vries                8      1080,00      1080,00       321,50      1080,00  akkoord
client ref     member    name                 statement counted inc.       offset      benefit    to munic.  status
BR-1001        m-ID      Anna de Vries                8      1080.00      1080.00       321.50      1080.00  acknowledged
client_ref,status
BR-1001,acknowledged
klantnummer    lid       naam                     entry getelde ink.  verrekening    uitkering    naar gem.  oordeel
(geen inwoner met een verrekening of inkomsten in 2025-11)
coop: error: unknown language 'de' (expected nl or en)
see 'coop audit --help'
exit 2
--- stderr
