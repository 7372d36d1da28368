# A changed checkpoint signature is caught.  The signature's bytes are as
# random as the key, so the byte changed here is set to 0x01 when it is 0x00
# and to 0x00 otherwise: it always differs (a fixed 0x00 left it unchanged,
# and the test failing, once in 256 runs).
setup: coop init --role coop --name A
setup: coop note one
setup: sqlite3 node/coop.db "UPDATE checkpoints SET checkpoint = substr(checkpoint, 1, 100) || CASE WHEN substr(checkpoint, 101, 1) = x'00' THEN x'01' ELSE x'00' END || substr(checkpoint, 102) WHERE size = 2"
run: coop verify
exit: 1
--- stdout
--- stderr
coop: error: verify failed: checkpoint at size 2: bad signature
