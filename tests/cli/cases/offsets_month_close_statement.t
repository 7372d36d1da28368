# A month close computes the statement by the municipality's published rules (worked example 1).
setup: coop init --role municipality --name Breda --dir muni >/dev/null && coop rules publish "$DATA/../../docs/examples/breda-2026.json" --dir muni >/dev/null
setup: coop init --role coop --name C >/dev/null && coop log export --dir muni > muni.bundle 2>/dev/null && coop log import muni.bundle >/dev/null
setup: coop member add --name Anna --municipality "$(coop id -O json --dir muni | python3 -c 'import json,sys;print(json.load(sys.stdin)["public_key"])')" --client-ref BR-1 --birth 1990-05 > id
setup: coop member set "$(cat id)" --n-approved yes --from 2026-01 >/dev/null
setup: export COOP_NOW_MS=1775131200000; coop record revenue --member "$(cat id)" --amount 800 --date 2026-03-10 --ref a >/dev/null && coop record cost --member "$(cat id)" --amount 200 --date 2026-03-12 --ref b >/dev/null
setup: COOP_NOW_MS=1775131200000 coop period close 2026-03 >/dev/null
run: coop statement --member "$(cat id)" -p 2026-03 -O json | python3 -c "import json,sys; print(json.dumps(json.load(sys.stdin)['statement']))"
exit: 0
--- stdout
{"period": "2026-03", "profit": 60000, "coop_share": 6000, "net_income": 54000, "disregard": 13500, "disregard_kind": "n", "volunteer_disregarded": 0, "volunteer_counted": 0, "counted_income": 40500, "offset": 40500, "benefit": 99650, "above_norm": false, "to_municipality": 40500, "to_budget": 13500, "n_used": 1, "r_used": 0, "a34_used": 0, "k_ytd": 0, "loss_carried": 0}
--- stderr
