# --municipality must be a municipality this node knows (its log, or a peer
# with role municipality), by key or by peer name; a member's key, the
# coop's own key, another role's key or an unknown key is refused, naming
# what the key is, and nothing is written.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop init --role member --name "Anna" --dir anna >/dev/null
setup: coop init --role partner --name "Partner" --dir partner >/dev/null
setup: coop init --role municipality --name "Gemeente Tilburg" --dir tilburg >/dev/null
setup: echo 'key() { coop id --dir $1 -O json | sed -n "s/.*\"public_key\": \"\(.*\)\".*/\1/p"; }; snap() { coop log | wc -l; coop bal -O json; coop verify && echo verified; }' > snap.sh
setup: . ./snap.sh; coop peer add --key $(key muni) --role municipality --name breda >/dev/null
setup: . ./snap.sh; coop peer add --key $(key partner) --role partner --name partner >/dev/null
setup: . ./snap.sh; coop member add --name Anna --municipality breda --client-ref BR-1 --member-key $(key anna) > id
run: . ./snap.sh; snap > before; { coop member add --name X --municipality $(key anna) --client-ref BR-2; coop member add --name X --municipality $(key node) --client-ref BR-2; coop member add --name X --municipality $(key partner) --client-ref BR-2; coop member add --name X --municipality partner --client-ref BR-2; coop member add --name X --municipality $(key tilburg) --client-ref BR-2; coop member add --name X --municipality gemeente-x --client-ref BR-2; } 2>&1 | sed "s/$(cat id)/MEMBER/g"; snap > after; cmp before after && echo unchanged; coop log export --dir tilburg > tilburg.bundle 2>/dev/null && coop log import tilburg.bundle >/dev/null && coop member add --name Bo --municipality $(key tilburg) --client-ref TB-1 | sed 's/m-[0-9a-f]*/MEMBER/'
exit: 0
--- stdout
coop: error: the municipality key <FP> is the key of member MEMBER (Anna), not a municipality's
coop: error: the municipality key <FP> is this coop's own key, not a municipality's
coop: error: the municipality key <FP> is the key of a partner node, not a municipality's
coop: error: peer 'partner' is a partner node, not a municipality
coop: error: no municipality with key <FP> is known here: import its log with 'coop log import' or add it with 'coop peer add' first
coop: error: unknown municipality 'gemeente-x': give its node key (64 hex digits, as 'coop id' prints) or the name of a [peer] in node.conf
unchanged
MEMBER
--- stderr
