# show INDEX refuses entries that are not rule sets, and entries past the end.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: coop rules publish breda-2026.json >/dev/null
run: coop rules show 0; coop rules show 7
exit: 1
--- stdout
--- stderr
coop: error: entry 0 is not a rule set (kind: identity)
coop: error: entry 7 does not exist (the log has 2 entries)
