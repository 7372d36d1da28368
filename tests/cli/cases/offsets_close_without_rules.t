# Without a rule set in force from the member's municipality, the close fails and appends nothing.
setup: coop init --role municipality --name Breda --dir muni >/dev/null
setup: coop init --role coop --name C >/dev/null
setup: coop peer add --key "$(coop id -O json --dir muni | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])')" --role municipality --name breda >/dev/null
setup: coop member add --name Anna --municipality "$(coop id -O json --dir muni | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])')" --client-ref BR-1 --birth 1990-05 > id
setup: coop checkpoint -O json | python3 -c "import json,sys;print(json.load(sys.stdin)['size'])" > size.before
run: COOP_NOW_MS=1775131200000 coop period close 2026-03 2>&1 | sed "s/$(cat id)/MEMBER/"; test "$(coop checkpoint -O json | python3 -c "import json,sys;print(json.load(sys.stdin)['size'])")" = "$(cat size.before)" || echo "log grew"
exit: 0
--- stdout
coop: error: no rule set in force for 2026-03 from municipality breda (<FP>) (member MEMBER): import its log with 'coop log import' once it has published one
--- stderr
