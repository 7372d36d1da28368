# Malformed JSON is refused with its line and column; duplicate keys too.
setup: coop init --role municipality --name 'Gemeente Breda' >/dev/null
setup: printf '{"municipality": "Breda",\n "norm": }' > broken.json
setup: printf '{"norm": 1, "norm": 2}' > twice.json
run: coop rules publish broken.json; coop rules publish twice.json; coop rules publish missing.json
exit: 1
--- stdout
--- stderr
coop: error: broken.json: line 2, column 10: unexpected token near '}'
coop: error: twice.json: line 1, column 18: duplicate object key near '"norm"'
coop: error: missing.json: cannot open: No such file or directory
