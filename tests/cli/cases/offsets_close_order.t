# Months close in order with no gap, and only once they have ended.
setup: coop init --role coop --name C >/dev/null
setup: COOP_NOW_MS=1775131200000 coop period close 2026-02 >/dev/null
run: export COOP_NOW_MS=1775131200000; coop period close 2026-01; coop period close 2026-02; coop period close 2026-04; coop period close 2026-03; coop period close 2026-04
exit: 1
--- stdout
closed 2026-03
--- stderr
coop: error: period 2026-01 comes before 2026-02, which is already closed: months close in order
coop: error: period 2026-02 is already closed
coop: error: period 2026-04 cannot close while 2026-03 is open: months close in order, with no gap (close 2026-03 first)
coop: error: period 2026-04 has not ended yet
