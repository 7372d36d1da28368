# A month before any rule set is in force is an error, never a silent default.
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); s=d['scenarios'][0]; m=dict(s['months'][0], period='2025-12'); json.dump({'rule_sets': s['rule_sets'], 'months': [m]}, open('early.json','w'))"
run: coop offset simulate early.json
exit: 1
--- stdout
--- stderr
coop: error: early.json: months[0] (2025-12): geen regelset van kracht (de vroegste effective_from is 2026-01)
