# With --lang en the same problem is said in English.
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); s=d['scenarios'][1]; s['months'][2]['revenue']=1500.5; json.dump({'rule_sets': s['rule_sets'], 'months': s['months']}, open('bad.json','w'))"
run: coop offset simulate bad.json --lang en
exit: 1
--- stdout
--- stderr
coop: error: bad.json: months[2] (2026-03).revenue: must be a whole number of cents >= 0, got 1500.5
