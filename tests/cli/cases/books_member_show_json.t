# member show -O json: the same as an object, amounts in integer cents.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop record cost --member $(cat id) --amount 80.25 --date 2026-01-10 --ref c-1
run: coop member show $(cat id) -O json | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
{
  "member_id": "MEMBER",
  "name": "Anna de Vries",
  "client_ref": "BR-1001",
  "municipality": "<HEX32>",
  "municipality_name": "breda (<FP>)",
  "entry_index": 5,
  "period": "2026-01",
  "status": {
    "birth": "1990-04",
    "n_approved": false,
    "medical_limit": false,
    "single_parent": false,
    "left": false
  },
  "balances": [
    {
      "account": "assets:bank",
      "amount_cents": -8025
    },
    {
      "account": "expenses:members:MEMBER:costs",
      "amount_cents": 8025
    }
  ]
}
--- stderr
