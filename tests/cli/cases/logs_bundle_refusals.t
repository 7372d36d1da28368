# Bundles that are damaged, truncated, or of the node's own log are refused; nothing is stored.
setup: coop init --role coop --name C >/dev/null
setup: coop init --role municipality --name M --dir muni >/dev/null && coop note one --dir muni >/dev/null && coop note two --dir muni >/dev/null
setup: coop log export --dir muni > good.bundle 2>/dev/null && coop log export > own.bundle 2>/dev/null
setup: python3 -c "b=bytearray(open('good.bundle','rb').read()); b[-30]^=1; open('flipped.bundle','wb').write(b); open('short.bundle','wb').write(b[:100])"
run: coop log import flipped.bundle; coop log import short.bundle; coop log import own.bundle; printf 'nonsense' > x.bundle; coop log import x.bundle; coop logs -O json | python3 -c "import json,sys; print(len(json.load(sys.stdin)), 'log held')"
exit: 0
--- stdout
1 log held
--- stderr
coop: error: bundle 'flipped.bundle' refused, nothing stored: the checkpoint at size 3 has a bad signature
coop: error: bundle 'short.bundle' refused, nothing stored: truncated at byte 55: an entry header expected
coop: error: bundle 'own.bundle' refused, nothing stored: this bundle holds this node's own log
coop: error: bundle 'x.bundle' refused, nothing stored: not a coop log bundle (too short)
