# show without INDEX: the rule set with the latest effective_from, in full, amounts in euros.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['effective_from']='2026-07'; r['cap_n']=29000; r['cap_r']=18153; json.dump(r, open('breda-2026-07.json','w'), indent=1)"
setup: coop rules publish breda-2026-07.json >/dev/null
setup: coop rules publish breda-2026.json >/dev/null
run: coop rules show
exit: 0
--- stdout
municipality    Breda        gemeente
effective_from  2026-07      geldig vanaf
regime          PW2015       regeling
norm            1401.50      bijstandsnorm per maand
coop_pct        10.00 %      deel van de winst voor de coöperatie
distribution    STATUTORY    verdeling
muni_pct        0.00 %       deel voor de gemeente
loss_rule       FLOOR_ZERO   maand met verlies
min_age_nrk     27 jaar      minimumleeftijd vrijlatingen
pct_n           25.00 %      inkomstenvrijlating: percentage
cap_n           290.00       inkomstenvrijlating: maximum
n_months        6 maanden    inkomstenvrijlating: duur
pct_r           12.50 %      vrijlating alleenstaande ouder: percentage
cap_r           181.53       vrijlating alleenstaande ouder: maximum
r_months        30 maanden   vrijlating alleenstaande ouder: duur
pct_y           15.00 %      vrijlating medische urenbeperking: percentage
cap_y           180.19       vrijlating medische urenbeperking: maximum
pct_34a         15.00 %      vrijlating art. 34a: percentage
months_34a      12 maanden   vrijlating art. 34a: duur
k_month         220.00       vrijwilligersvergoeding vrij per maand
k_year          2200.00      vrijwilligersvergoeding vrij per jaar
entry           1            regel in het log
leaf_hash       <HEX32>
log             <HEX32>

Bedragen in euro per maand (k_year: per kalenderjaar) / amounts in euros per month (k_year: per calendar year).
--- stderr
