# A percentage above 100 % (10000 basis points) is refused.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['pct_n']=10001; json.dump(r, open('breda-2026.json','w'), indent=1)"
run: coop rules publish breda-2026.json
exit: 1
--- stdout
--- stderr
coop: error: breda-2026.json: pct_n: must be a whole number of basis points from 0 to 10000 (10000 = 100 %), got 10001
