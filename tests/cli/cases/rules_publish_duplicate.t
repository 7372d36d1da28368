# Rule sets are versioned by effective_from: a second one for the same month is refused.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: coop rules publish breda-2026.json >/dev/null
setup: coop note 'caps for 2026 published' >/dev/null
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['cap_n']=30000; json.dump(r, open('again.json','w'), indent=1)"
run: coop rules publish again.json; status=$?; coop rules list | wc -l; exit $status
exit: 1
--- stdout
1
--- stderr
coop: error: a rule set effective from 2026-01 is already published at entry 1; publish one with a later effective_from
