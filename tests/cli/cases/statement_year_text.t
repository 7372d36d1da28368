# The year statement (jaaropgave) in Dutch: the closed month, the open ones named, the totals; --final refuses.
setup: coop init --role municipality --name Breda --dir muni >/dev/null && coop rules publish "$DATA/../../docs/examples/breda-2026.json" --dir muni >/dev/null
setup: coop init --role coop --name C >/dev/null && coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop member add --name Bram --municipality "$(coop id -O json --dir muni | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])')" --client-ref BR-2 --birth 1985-09 > id
setup: coop member set "$(cat id)" --medical-limit yes --from 2026-01 >/dev/null
setup: export COOP_NOW_MS=1775131200000; coop record revenue --member "$(cat id)" --amount 600 --date 2026-03-10 --ref a >/dev/null && coop record cost --member "$(cat id)" --amount 100 --date 2026-03-12 --ref b >/dev/null && coop record allowance --member "$(cat id)" --amount 250 --date 2026-03-28 --ref c >/dev/null
setup: COOP_NOW_MS=1775131200000 coop period close 2026-03 >/dev/null
run: M=$(cat id); { COOP_NOW_MS=1775131200000 coop statement --member $M --year 2026; COOP_NOW_MS=1775131200000 coop statement --member $M --year 2026 --final; echo "exit $?"; } 2>&1 | sed "s/$M/MEMBER/"
exit: 0
--- stdout
Jaaropgave 2026 — Bram (MEMBER), klantnummer BR-2
C; bedragen in euro

maand             omzet       kosten   coöperatie getelde ink.  verrekening     gemeente  ontw.budget      besteed
januari    geen verrekening
februari   geen verrekening
maart            600,00       100,00        50,00       412,50       412,50       382,50        67,50         0,00
april      nog open: niet afgesloten
mei        nog open: niet afgesloten
juni       nog open: niet afgesloten
juli       nog open: niet afgesloten
augustus   nog open: niet afgesloten
september  nog open: niet afgesloten
oktober    nog open: niet afgesloten
november   nog open: niet afgesloten
december   nog open: niet afgesloten
totaal           600,00       100,00        50,00       412,50       412,50       382,50        67,50         0,00

  maart      vrijlating medisch urenbeperking (y); gemeente: nog niet gecontroleerd; entry 11

Vrijlating: medisch urenbeperking (y): 1 maand; samen vrijgelaten € 67,50
Ontwikkelbudget: begin van het jaar € 0,00, over aan het eind € 67,50
Rekenregels:
  Breda (<FP>), entry 1: maart 2026 t/m maart 2026
NOG OPEN (niet afgesloten): 2026-04, 2026-05, 2026-06, 2026-07, 2026-08, 2026-09, 2026-10, 2026-11, 2026-12.
Deze jaaropgave is nog niet definitief: de totalen tellen alleen de afgesloten maanden.
De verrekening is indicatief: de gemeente beslist.
coop: error: the year 2026 is not closed: open months 2026-04, 2026-05, 2026-06, 2026-07, 2026-08, 2026-09, 2026-10, 2026-11, 2026-12 (--final needs every month closed; without it the closed months are shown)
exit 1
