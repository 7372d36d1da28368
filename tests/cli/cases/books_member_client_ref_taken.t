# A client ref is one person at one municipality: a second member with the
# same ref at the same municipality is refused naming the first, unless the
# first has left; another municipality may use the same ref.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop init --role municipality --name "Gemeente Tilburg" --dir tilburg >/dev/null
setup: echo 'key() { coop id --dir $1 -O json | sed -n "s/.*\"public_key\": \"\(.*\)\".*/\1/p"; }; snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: . ./snap.sh; coop peer add --key $(key muni) --role municipality --name breda >/dev/null && coop peer add --key $(key tilburg) --role municipality --name tilburg >/dev/null
setup: coop member add --name "Anna de Vries" --municipality breda --client-ref BR-1 > id
run: . ./snap.sh; snap > before; coop member add --name "Bo" --municipality breda --client-ref BR-1 2>&1 | sed "s/$(cat id)/MEMBER/g"; snap > after; cmp before after && echo unchanged; coop member add --name "Bo" --municipality tilburg --client-ref BR-1 | sed 's/m-[0-9a-f]*/OTHER/'; coop member set $(cat id) --from 2026-01 --left >/dev/null; coop member add --name "Anna de Vries" --municipality breda --client-ref BR-1 | sed 's/m-[0-9a-f]*/AGAIN/'
exit: 0
--- stdout
coop: error: client ref 'BR-1' of this municipality already belongs to member MEMBER (Anna de Vries); mark them as left first ('coop member set MEMBER --from YYYY-MM --left') if this is the same person coming back
unchanged
OTHER
AGAIN
--- stderr
