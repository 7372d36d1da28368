# A member's name and client ref can stay off the command line (other local
# users see it in ps): the name from standard input (--name -), the client ref
# from a file; one trailing newline ("\n" or "\r\n") is removed.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: printf 'BR-1001\r\n' > ref.txt
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: printf 'Anna de Vries\n' | coop member add --name - --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref-file ref.txt > id
run: coop member show $(cat id) -p 2026-01 | sed "s/$(cat id)/MEMBER/g"
exit: 0
--- stdout
member:       MEMBER
name:         Anna de Vries
client ref:   BR-1001
municipality: breda (<FP>)
status in 2026-01: born (unknown)
--- stderr
