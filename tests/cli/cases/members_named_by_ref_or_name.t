# People name members by client ref or name, not only by id: --member and
# the member commands take any of them; a name two members share is refused
# naming both, each with her id and client ref, an unknown one says what was tried.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality --name breda >/dev/null
setup: coop member add --name "Anna de Vries" --municipality breda --client-ref BR-1001 --birth 1990-04 > id
setup: coop member add --name "Bram Jansen" --municipality breda --client-ref BR-1002 > id2
setup: coop member add --name "Bram Jansen" --municipality breda --client-ref BR-1003 > id3
run: coop member show BR-1001 | head -3 | sed "s/$(cat id)/MEMBER1/"; coop member show "anna de vries" | sed -n 1p | sed "s/$(cat id)/MEMBER1/"; coop record revenue --member BR-1002 --amount 10 --date 2026-01-05 --ref r1 | sed 's/entry [0-9]*/entry N/'; coop bal --member BR-1002 -O json | grep -c revenue; coop member show "Bram Jansen" 2>&1 | sed "s/$(cat id2)/MEMBER2/; s/$(cat id3)/MEMBER3/"; coop record revenue --member Nobody --amount 1 --date 2026-01-05; echo "exit $?"
exit: 0
--- stdout
member:       MEMBER1
name:         Anna de Vries
client ref:   BR-1001
member:       MEMBER1
recorded entry N (ref r1)
1
coop: error: 'Bram Jansen' names more than one member (Bram Jansen MEMBER2, client ref BR-1002; Bram Jansen MEMBER3, client ref BR-1003): use the id or client ref
exit 1
--- stderr
coop: error: no member 'Nobody' (not a member id, client ref or name of one)
