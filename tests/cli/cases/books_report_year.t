# The annual accounts: the year before carries into the opening balance and
# the result of earlier years; txt in Dutch, csv with every figure.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record opening --amount 5000 --date 2025-12-01 --ref open
setup: coop record coop-cost --amount 310.25 --date 2025-12-02 --ref rent-12
setup: coop record revenue --member $(cat id) --amount 1234.56 --date 2026-01-01 --ref inv-1
setup: coop record cost --member $(cat id) --amount 34.50 --date 2026-01-01 --ref cost-1
run: coop report year 2026 | sed "s/$(cat id)/MEMBER/g"; coop report year 2026 -O csv | grep -v "^profit_splits\|^municipalities" | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
Jaarrekening 2026 - Breda Werkt
Laatste afgesloten maand: - (het jaar is nog niet voorbij)

Balans
                                                        begin      31 december
Bank                                               € 4.689,75       € 5.889,81
Debiteuren                                             € 0,00           € 0,00
Totaal activa                                      € 4.689,75       € 5.889,81
Af te dragen aan gemeenten                             € 0,00           € 0,00
Ontwikkelbudgetten leden                               € 0,00           € 0,00
Beginbalans                                        € 5.000,00       € 5.000,00
Resultaat voorgaande jaren                          -€ 310,25        -€ 310,25
Resultaat boekjaar                                     € 0,00       € 1.200,06
Totaal passiva                                     € 4.689,75       € 5.889,81

Winst- en verliesrekening
                                                     boekjaar
Omzet leden                                        € 1.234,56
Aandeel coöperatie                                     € 0,00
Kosten leden                                          € 34,50
Vrijwilligersvergoedingen                              € 0,00
Kosten coöperatie                                      € 0,00
Winstverdeling leden                                   € 0,00
Resultaat                                          € 1.200,06

Leden
                                                        omzet           kosten vrijw.vergoeding            winst
Anna de Vries (MEMBER)                           € 1.234,56          € 34,50           € 0,00           € 0,00

Ontwikkelbudgetten
                                                        begin       toegevoegd          besteed             eind
Anna de Vries (MEMBER)                               € 0,00           € 0,00           € 0,00           € 0,00

Gemeenten
                                                        begin     verschuldigd          betaald nog af te dragen
breda (<FP>)                            € 0,00           € 0,00           € 0,00           € 0,00

Winstverdeling: verrekeningen en boekingen
                                                 coop (verr.)   coop (geboekt) gemeente (verr.)  gemeente (geb.)   budget (verr.) budget (geboekt)
Anna de Vries (MEMBER)                               € 0,00           € 0,00           € 0,00           € 0,00           € 0,00           € 0,00

Controles
                                                     uitkomst
balans sluit                                               ok
rekeningen kloppen met de boeken                           ok
winstverdeling = verrekeningen                             ok
ontwikkelbudgetten sluiten                                 ok
afdrachten gemeenten sluiten                               ok
section,item,column,amount,amount_cents
balance_sheet,Bank,begin,4689.75,468975
balance_sheet,Bank,31 december,5889.81,588981
balance_sheet,Debiteuren,begin,0.00,0
balance_sheet,Debiteuren,31 december,0.00,0
balance_sheet,Totaal activa,begin,4689.75,468975
balance_sheet,Totaal activa,31 december,5889.81,588981
balance_sheet,Af te dragen aan gemeenten,begin,0.00,0
balance_sheet,Af te dragen aan gemeenten,31 december,0.00,0
balance_sheet,Ontwikkelbudgetten leden,begin,0.00,0
balance_sheet,Ontwikkelbudgetten leden,31 december,0.00,0
balance_sheet,Beginbalans,begin,5000.00,500000
balance_sheet,Beginbalans,31 december,5000.00,500000
balance_sheet,Resultaat voorgaande jaren,begin,-310.25,-31025
balance_sheet,Resultaat voorgaande jaren,31 december,-310.25,-31025
balance_sheet,Resultaat boekjaar,begin,0.00,0
balance_sheet,Resultaat boekjaar,31 december,1200.06,120006
balance_sheet,Totaal passiva,begin,4689.75,468975
balance_sheet,Totaal passiva,31 december,5889.81,588981
profit_and_loss,Omzet leden,boekjaar,1234.56,123456
profit_and_loss,Aandeel coöperatie,boekjaar,0.00,0
profit_and_loss,Kosten leden,boekjaar,34.50,3450
profit_and_loss,Vrijwilligersvergoedingen,boekjaar,0.00,0
profit_and_loss,Kosten coöperatie,boekjaar,0.00,0
profit_and_loss,Winstverdeling leden,boekjaar,0.00,0
profit_and_loss,Resultaat,boekjaar,1200.06,120006
members,Anna de Vries (MEMBER),omzet,1234.56,123456
members,Anna de Vries (MEMBER),kosten,34.50,3450
members,Anna de Vries (MEMBER),vrijw.vergoeding,0.00,0
members,Anna de Vries (MEMBER),winst,0.00,0
development_budgets,Anna de Vries (MEMBER),begin,0.00,0
development_budgets,Anna de Vries (MEMBER),toegevoegd,0.00,0
development_budgets,Anna de Vries (MEMBER),besteed,0.00,0
development_budgets,Anna de Vries (MEMBER),eind,0.00,0
checks,balans sluit,uitkomst,ok,
checks,rekeningen kloppen met de boeken,uitkomst,ok,
checks,winstverdeling = verrekeningen,uitkomst,ok,
checks,ontwikkelbudgetten sluiten,uitkomst,ok,
checks,afdrachten gemeenten sluiten,uitkomst,ok,
--- stderr
