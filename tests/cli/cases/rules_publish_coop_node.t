# Only a municipality publishes rule sets.
setup: coop init --role coop --name 'Breda Werkt' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
run: coop rules publish breda-2026.json
exit: 1
--- stdout
--- stderr
coop: error: only a municipality publishes rule sets; this is a coop node
