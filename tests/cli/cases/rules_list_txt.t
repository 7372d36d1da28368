# list: one line per rule set in log order, with its entry index and leaf hash.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['effective_from']='2026-07'; r['cap_n']=29000; r['cap_r']=18153; json.dump(r, open('breda-2026-07.json','w'), indent=1)"
setup: coop rules publish breda-2026.json >/dev/null
setup: coop note 'July caps follow' >/dev/null
setup: coop rules publish breda-2026-07.json >/dev/null
run: coop rules list
exit: 0
--- stdout
entry 1  2026-01  Breda  PW2015  STATUTORY  norm 1401.50  leaf <HEX32>
entry 3  2026-07  Breda  PW2015  STATUTORY  norm 1401.50  leaf <HEX32>
--- stderr
