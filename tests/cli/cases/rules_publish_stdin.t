# FILE may be - for standard input; errors then name stdin.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
run: coop rules publish - < breda-2026.json && echo '{"municipality": 5}' | coop rules publish -
exit: 1
--- stdout
published rule set for Breda effective from 2026-01 as entry 1
--- stderr
coop: error: stdin: municipality: must be a non-empty name of at most 128 bytes, got 5
