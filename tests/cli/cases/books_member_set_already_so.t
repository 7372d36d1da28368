# member set of a fact already in force from its month (the same fact twice,
# a birth month she has, 'no' where nothing was set) says so, Dutch first,
# appends nothing to the log (its entry count is the same), and exits 0;
# a different value is still recorded.
setup: coop init --role coop --name "Breda Werkt" >/dev/null
setup: coop init --role municipality --name "Gemeente Breda" --dir muni >/dev/null
setup: coop peer add --key $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --role municipality >/dev/null
setup: coop member add --name "Anna de Vries" --municipality $(coop id --dir muni -O json | sed -n 's/.*"public_key": "\(.*\)".*/\1/p') --client-ref BR-1001 --birth 1990-04 > id
setup: coop member set $(cat id) --from 2026-02 --medical-limit yes >/dev/null
setup: coop log | wc -l > before
run: m=$(cat id); for args in "--from 2026-02 --medical-limit yes" "--from 2026-03 --medical-limit yes" "--from 2026-02 --birth 1990-04" "--from 2026-02 --single-parent no"; do coop member set $m $args | sed "s/$m/MEMBER/g"; echo "exit ${PIPESTATUS[0]}"; done; coop log | wc -l | diff before - && echo "log: as many entries as before"; coop member set $m --from 2026-04 --medical-limit no | sed "s/$m/MEMBER/g"; coop log | wc -l | diff -q before - >/dev/null || echo "log: one fact more"
exit: 0
--- stdout
al zo: medical-limit van MEMBER is vanaf 2026-02 al 'yes', niets vastgelegd / already so: medical-limit of MEMBER is 'yes' from 2026-02 already, nothing recorded
exit 0
al zo: medical-limit van MEMBER is vanaf 2026-03 al 'yes', niets vastgelegd / already so: medical-limit of MEMBER is 'yes' from 2026-03 already, nothing recorded
exit 0
al zo: birth van MEMBER is al 1990-04, niets vastgelegd / already so: birth of MEMBER is 1990-04 already, nothing recorded
exit 0
al zo: single-parent van MEMBER is vanaf 2026-02 al 'no', niets vastgelegd / already so: single-parent of MEMBER is 'no' from 2026-02 already, nothing recorded
exit 0
log: as many entries as before
recorded medical-limit of MEMBER from 2026-04
log: one fact more
--- stderr
