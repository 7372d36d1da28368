# A bad amount names the month and the field, in Dutch (the default).
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); s=d['scenarios'][1]; s['months'][2]['revenue']=1500.5; json.dump({'rule_sets': s['rule_sets'], 'months': s['months']}, open('bad.json','w'))"
run: coop offset simulate bad.json
exit: 1
--- stdout
--- stderr
coop: error: bad.json: months[2] (2026-03).revenue: moet een geheel aantal centen >= 0 zijn, gegeven: 1500.5
