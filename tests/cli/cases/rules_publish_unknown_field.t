# Unknown fields are errors (a misspelt field must not be silently ignored).
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['cap_nn']=28500; json.dump(r, open('breda-2026.json','w'), indent=1)"
run: coop rules publish breda-2026.json
exit: 1
--- stdout
--- stderr
coop: error: breda-2026.json: cap_nn: unknown field
