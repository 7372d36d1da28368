# show without INDEX: the rule set with the latest effective_from, in full, amounts in euros.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['effective_from']='2026-07'; r['cap_n']=29000; r['cap_r']=18153; json.dump(r, open('breda-2026-07.json','w'), indent=1)"
setup: coop rules publish breda-2026-07.json >/dev/null
setup: coop rules publish breda-2026.json >/dev/null
run: coop rules show
exit: 0
--- stdout
municipality    Breda
effective_from  2026-07
regime          PW2015
norm            1401.50
coop_pct        10.00 %
distribution    STATUTORY
muni_pct        0.00 %
loss_rule       FLOOR_ZERO
min_age_nrk     27 years
pct_n           25.00 %
cap_n           290.00
n_months        6 months
pct_r           12.50 %
cap_r           181.53
r_months        30 months
pct_y           15.00 %
cap_y           180.19
pct_34a         15.00 %
months_34a      12 months
k_month         220.00
k_year          2200.00
entry           1
leaf_hash       <HEX32>
log             <HEX32>

Amounts in euros per month (k_year: per calendar year).
--- stderr
