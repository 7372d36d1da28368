# A database that group or others can read (members' names and client refs
# are in its books tables) is refused before SQLite opens it: nothing is
# written, no -wal or -shm file appears.
setup: coop init --role coop --name A >/dev/null
setup: chmod 644 node/coop.db
setup: sha256sum node/* > before
run: coop member list; echo "exit $?"; sha256sum --quiet -c before && ls node
exit: 0
--- stdout
exit 1
coop.db
identity.key
node.conf
--- stderr
coop: error: database '<WORK>/node/coop.db' has mode 0644: group or others can access it; run 'chmod 600 <WORK>/node/coop.db'
