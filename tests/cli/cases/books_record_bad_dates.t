# Dates must be real calendar days written YYYY-MM-DD.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: for d in 2026-02-30 2026-13-01 26-01-01 2026-1-01 2025-02-29 ""; do coop record revenue --member $(cat id) --amount 10 --date "$d"; echo "exit $?"; done; COOP_NOW_MS=1709251200000 coop record revenue --member $(cat id) --amount 10 --date 2024-02-29 --ref leap | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
exit 2
exit 2
exit 2
exit 2
exit 2
exit 2
recorded entry 7 (ref leap)
--- stderr
coop: error: invalid date '2026-02-30' (expected YYYY-MM-DD, a real calendar day)
coop: error: invalid date '2026-13-01' (expected YYYY-MM-DD, a real calendar day)
coop: error: invalid date '26-01-01' (expected YYYY-MM-DD, a real calendar day)
coop: error: invalid date '2026-1-01' (expected YYYY-MM-DD, a real calendar day)
coop: error: invalid date '2025-02-29' (expected YYYY-MM-DD, a real calendar day)
coop: error: invalid date '' (expected YYYY-MM-DD, a real calendar day)
