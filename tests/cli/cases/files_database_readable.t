# A database that group or others can read (members' names and client refs
# are in its books tables) is refused before SQLite opens it.
setup: coop init --role coop --name A >/dev/null
setup: chmod 644 node/coop.db
run: coop member list
exit: 1
--- stdout
--- stderr
coop: error: database '<WORK>/node/coop.db' has mode 0644: group or others can access it; run 'chmod 600 <WORK>/node/coop.db'
