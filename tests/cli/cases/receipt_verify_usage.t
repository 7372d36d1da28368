# receipt verify: an anchor that is neither a key nor a fingerprint, and a missing FILE, are usage errors (exit 2).
run: for a in "receipt verify r.json --municipality breda" "receipt verify --municipality 1a2b-3c4d-5e6f-7081" "receipt verify r.json --witness 1a2b" "receipt verify a b"; do coop $a; echo "$a: $?"; done
exit: 0
--- stdout
receipt verify r.json --municipality breda: 2
receipt verify --municipality <FP>: 2
receipt verify r.json --witness 1a2b: 2
receipt verify a b: 2
--- stderr
coop: error: --municipality 'breda': expected a node key (64 hex digits) or a fingerprint (<FP>)
see 'coop receipt --help'
coop: error: 'receipt verify' needs exactly one FILE
see 'coop receipt --help'
coop: error: --witness '1a2b': expected a node key (64 hex digits) or a fingerprint (<FP>)
see 'coop receipt --help'
coop: error: 'receipt verify' needs exactly one FILE
see 'coop receipt --help'
