# Member records need --member; the coop's own records take none: both are
# usage errors (exit 2) that point to --help, and nothing is recorded.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop record revenue --amount 10 --date 2026-01-05; a=$?; coop record coop-cost --member $(cat id) --amount 10 --date 2026-01-05 2>err; b=$?; sed "s/$(cat id)/MEMBER/g" err >&2; echo "exit $a $b"; coop reg -O csv | wc -l
exit: 0
--- stdout
exit 2 2
1
--- stderr
coop: error: a revenue record needs --member
see 'coop record --help'
coop: error: a coop-cost record is the coop's own: no --member
see 'coop record --help'
