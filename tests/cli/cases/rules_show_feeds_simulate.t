# show -O json is the rule set format of 'coop offset simulate' (worked example 1).
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: coop rules publish breda-2026.json >/dev/null
setup: coop rules show -O json > published.json
run: python3 -c "import json; r=json.load(open('published.json')); json.dump({'rule_sets': [r], 'months': [{'period': '2026-03', 'revenue': 80000, 'costs': 20000, 'hours': 40, 'age': 30, 'n_approved': True}]}, open('sim.json','w'))" && coop offset simulate sim.json -O json | python3 -c "import json,sys; s=json.load(sys.stdin)[0]; print(s['disregard'], s['disregard_kind'], s['to_municipality'], s['to_budget'])"
exit: 0
--- stdout
13500 n 40500 13500
--- stderr
