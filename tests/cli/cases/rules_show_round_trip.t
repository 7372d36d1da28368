# show -O json feeds publish on another municipality's node: the same rule set, the same payload bytes.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: coop rules publish breda-2026.json >/dev/null
setup: coop init --role municipality --name 'Gemeente Etten-Leur' --dir second >/dev/null
run: coop rules show -O json | coop rules publish - --dir second && coop rules show -O json --dir second | diff - <(coop rules show -O json) && coop log --dir second | awk '{print $1, $4}' && echo identical JSON && for d in node second; do coop log -O json --dir $d | python3 -c 'import json,sys; print(json.load(sys.stdin)[1]["payload"]["hex"])'; done | uniq | wc -l
exit: 0
--- stdout
published rule set for Breda effective from 2026-01 as entry 1
0 identity
1 rule_set
identical JSON
1
--- stderr
