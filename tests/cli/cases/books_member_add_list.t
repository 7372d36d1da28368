# member add prints the new member id; member list shows name, client ref, municipality.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop member add --name "Bram Jansen" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1002 > id2
run: coop member list | sed "s/$(cat id)/MEMBER1/; s/$(cat id2)/MEMBER2/"
exit: 0
--- stdout
member     name                            client ref        municipality
MEMBER1   Anna de Vries                   BR-1001           breda (<FP>)
MEMBER2   Bram Jansen                     BR-1002           breda (<FP>)
--- stderr
