# Money is whole cents: a fraction is refused, naming the field.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['norm']=140150.5; json.dump(r, open('breda-2026.json','w'), indent=1)"
run: coop rules publish breda-2026.json
exit: 1
--- stdout
--- stderr
coop: error: breda-2026.json: norm: must be a whole number of cents >= 0, got 140150.5
