# --dir overrides COOP_HOME.
setup: coop init --role partner --name "LaNSCO" --dir other
run: coop id --dir other
exit: 0
--- stdout
public key:  <HEX32>
fingerprint: <FP>
role:        partner
name:        LaNSCO
--- stderr
