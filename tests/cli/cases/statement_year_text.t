# The year statement (jaaropgave) in Dutch: two closed months (disregard n, a budget spend), the months before the books, the open ones named, the totals; --final refuses.
setup: coop init --role municipality --name Breda --dir muni >/dev/null && coop rules publish "$DATA/../../docs/examples/breda-2026.json" --dir muni >/dev/null
setup: coop init --role coop --name C >/dev/null && coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: export COOP_NOW_MS=1775131200000; coop period open 2026-02 >/dev/null && coop member add --name Dewi --municipality "$(coop id -O json --dir muni | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])')" --client-ref BR-7 --birth 1979-07 > id && coop member set "$(cat id)" --n-approved yes --from 2026-02 >/dev/null
setup: export COOP_NOW_MS=1775131200000; coop record revenue --member "$(cat id)" --amount 800 --date 2026-02-10 --ref r2 >/dev/null && coop record revenue --member "$(cat id)" --amount 950 --date 2026-03-10 --ref r3 >/dev/null && coop period close 2026-02 >/dev/null && coop record spend --member "$(cat id)" --amount 20 --date 2026-03-20 --ref s >/dev/null && coop period close 2026-03 >/dev/null
run: M=$(cat id); { COOP_NOW_MS=1775131200000 coop statement --member $M --year 2026; COOP_NOW_MS=1775131200000 coop statement --member $M --year 2026 --final; echo "exit $?"; } 2>&1 | sed "s/$M/MEMBER/"
exit: 0
--- stdout
Jaaropgave 2026 — Dewi (MEMBER), klantnummer BR-7
C; bedragen in euro

maand             omzet       kosten   coöperatie getelde ink.  verrekening     gemeente  ontw.budget      besteed
januari    geen verrekening
februari         800,00         0,00        80,00       540,00       540,00       540,00       180,00         0,00
maart            950,00         0,00        95,00       641,25       641,25       641,25       213,75        20,00
april      nog open: niet afgesloten
mei        nog open: niet afgesloten
juni       nog open: niet afgesloten
juli       nog open: niet afgesloten
augustus   nog open: niet afgesloten
september  nog open: niet afgesloten
oktober    nog open: niet afgesloten
november   nog open: niet afgesloten
december   nog open: niet afgesloten
totaal          1750,00         0,00       175,00      1181,25      1181,25      1181,25       393,75        20,00

  februari   vrijlating inkomstenvrijlating (n), maand 1; gemeente: nog niet gecontroleerd; entry 11
  maart      vrijlating inkomstenvrijlating (n), maand 2; gemeente: nog niet gecontroleerd; entry 15

Vrijlating: inkomstenvrijlating (n): 2 maanden; samen vrijgelaten € 393,75
Ontwikkelbudget: begin van het jaar € 0,00, over aan het eind € 373,75
Rekenregels:
  Breda (<FP>), entry 1: februari 2026 t/m maart 2026
NOG OPEN (niet afgesloten): 2026-04, 2026-05, 2026-06, 2026-07, 2026-08, 2026-09, 2026-10, 2026-11, 2026-12.
Deze jaaropgave is nog niet definitief: de totalen tellen alleen de afgesloten maanden.
De verrekening is indicatief: de gemeente beslist.
coop: error: the year 2026 is not closed: open months 2026-04, 2026-05, 2026-06, 2026-07, 2026-08, 2026-09, 2026-10, 2026-11, 2026-12 (--final needs every month closed; without it the closed months are shown)
exit 1
