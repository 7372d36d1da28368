# The statement in plain Dutch and English, and as an HTML page with a chart.
setup: coop init --role municipality --name Breda --dir muni >/dev/null && coop rules publish "$DATA/../../docs/examples/breda-2026.json" --dir muni >/dev/null
setup: coop init --role coop --name C >/dev/null && coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop member add --name Bram --municipality "$(coop id -O json --dir muni | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])')" --client-ref BR-2 --birth 1985-09 > id
setup: coop member set "$(cat id)" --medical-limit yes --from 2026-01 >/dev/null
setup: export COOP_NOW_MS=1775131200000; coop record revenue --member "$(cat id)" --amount 600 --date 2026-03-10 --ref a >/dev/null && coop record cost --member "$(cat id)" --amount 100 --date 2026-03-12 --ref b >/dev/null && coop record allowance --member "$(cat id)" --amount 250 --date 2026-03-28 --ref c >/dev/null
setup: COOP_NOW_MS=1775131200000 coop period close 2026-03 >/dev/null
run: M=$(cat id); { coop statement --member $M -p 2026-03; coop statement --member $M -p 2026-03 --lang en | sed -n '1p;/Indicative/p'; coop statement --member $M -p 2026-03 -O html | grep -c '<rect'; } | sed "s/$M/MEMBER/"
exit: 0
--- stdout
Verrekening maart 2026 — Bram (MEMBER), klantnummer BR-2
Rekenregels van Breda (<FP>), gepubliceerd als entry 1

  Omzet                                    € 600,00
  Kosten                                  -€ 100,00
  Winst                                    € 500,00
    naar de coöperatie                      € 50,00
    naar de gemeente                       € 382,50
    naar uw ontwikkelbudget                 € 67,50
  Vrijlating                                € 67,50
  Vrijwilligersvergoeding                  € 250,00
    waarvan vrijgelaten                    € 220,00
  Andere inkomsten                           € 0,00
  Getelde inkomsten                        € 412,50
  Indicatieve verrekening                  € 412,50
  Indicatieve uitkering                    € 989,00

Vrijlating: medisch urenbeperking (y)
De verrekening is indicatief: de gemeente beslist.
Vastgelegd als entry 11 in het ondertekende logboek van de coöperatie.
Gemeente: nog niet gecontroleerd (of haar logboek is nog niet gesynchroniseerd).
Statement March 2026 — Bram (MEMBER), client ref BR-2
  Indicative offset                        € 412,50
  Indicative benefit                       € 989,00
3
--- stderr
