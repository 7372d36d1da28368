# A municipality publishes a rule set from a JSON file as a public rule_set entry.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
run: coop rules publish breda-2026.json && coop log | awk '{print $1, $4}'
exit: 0
--- stdout
published rule set for Breda effective from 2026-01 as entry 1
0 identity
1 rule_set
--- stderr
