# member set records a status fact from a month on; show reads it per month.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
run: coop member set $(cat id) --from 2026-02 --medical-limit yes | sed "s/$(cat id)/MEMBER/g" && coop member show $(cat id) -p 2026-02 | grep status && coop member show $(cat id) -p 2026-01 | grep status; coop member set $(cat id) --from 2026-02 --medical-limit maybe
exit: 2
--- stdout
recorded medical-limit of MEMBER from 2026-02
status in 2026-02: born 1990-04, medically limited hours
status in 2026-01: born 1990-04
--- stderr
coop: error: expected 'yes' or 'no', got 'maybe'
