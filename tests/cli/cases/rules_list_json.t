# list -O json: index, leaf_hash, effective_from, municipality and the whole rule set.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: python3 -c "import json; d=json.load(open('$DATA/offset-examples.json')); json.dump(d['scenarios'][0]['rule_sets'][0], open('breda-2026.json','w'), indent=1)"
setup: python3 -c "import json; r=json.load(open('breda-2026.json')); r['effective_from']='2026-07'; r['cap_n']=29000; r['cap_r']=18153; json.dump(r, open('breda-2026-07.json','w'), indent=1)"
setup: coop rules publish breda-2026.json >/dev/null
setup: coop rules publish breda-2026-07.json >/dev/null
run: coop rules list -O json
exit: 0
--- stdout
[
  {
    "index": 1,
    "leaf_hash": "<HEX32>",
    "effective_from": "2026-01",
    "municipality": "Breda",
    "rule_set": {
      "municipality": "Breda",
      "effective_from": "2026-01",
      "regime": "PW2015",
      "norm": 140150,
      "coop_pct": 1000,
      "distribution": "STATUTORY",
      "muni_pct": 0,
      "loss_rule": "FLOOR_ZERO",
      "min_age_nrk": 27,
      "pct_n": 2500,
      "cap_n": 28500,
      "n_months": 6,
      "pct_r": 1250,
      "cap_r": 17766,
      "r_months": 30,
      "pct_y": 1500,
      "cap_y": 18019,
      "pct_34a": 1500,
      "months_34a": 12,
      "k_month": 22000,
      "k_year": 220000
    }
  },
  {
    "index": 2,
    "leaf_hash": "<HEX32>",
    "effective_from": "2026-07",
    "municipality": "Breda",
    "rule_set": {
      "municipality": "Breda",
      "effective_from": "2026-07",
      "regime": "PW2015",
      "norm": 140150,
      "coop_pct": 1000,
      "distribution": "STATUTORY",
      "muni_pct": 0,
      "loss_rule": "FLOOR_ZERO",
      "min_age_nrk": 27,
      "pct_n": 2500,
      "cap_n": 29000,
      "n_months": 6,
      "pct_r": 1250,
      "cap_r": 18153,
      "r_months": 30,
      "pct_y": 1500,
      "cap_y": 18019,
      "pct_34a": 1500,
      "months_34a": 12,
      "k_month": 22000,
      "k_year": 220000
    }
  }
]
--- stderr
