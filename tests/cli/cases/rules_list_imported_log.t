# A coop lists the rule sets of a municipality's log it imported, by its key.
setup: coop init --role municipality --name 'Gemeente Breda' --dir muni >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: coop rules publish breda-2026.json --dir muni >/dev/null
setup: coop log export --dir muni > muni.bundle 2>/dev/null
setup: coop init --role coop --name 'Breda Werkt' >/dev/null
setup: coop log import muni.bundle >/dev/null
run: key=$(coop id --dir muni -O json | python3 -c 'import json,sys; print(json.load(sys.stdin)["public_key"])'); coop rules list --log $key && coop rules show --log $key | grep -E '^(municipality|cap_n|entry) ' && coop rules list --dir muni -O json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["leaf_hash"])' > muni.leaf && coop rules list --log $key -O json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["leaf_hash"])' | diff - muni.leaf && echo same leaf hash on both nodes
exit: 0
--- stdout
entry 1  2026-01  Breda  PW2015  STATUTORY  norm 1401.50  leaf <HEX32>
municipality    Breda        gemeente
cap_n           285.00       inkomstenvrijlating: maximum
entry           1            regel in het log
same leaf hash on both nodes
--- stderr
