# init creates a node home with a private key file and prints the identity.
run: coop init --role coop --name "Breda Werkt" && stat -c '%a %n' node/identity.key node/coop.db
exit: 0
--- stdout
created coop node 'Breda Werkt' in <WORK>/node
public key:  <HEX32>
fingerprint: <FP>
600 node/identity.key
600 node/coop.db
--- stderr
