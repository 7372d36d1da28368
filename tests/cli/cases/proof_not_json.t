# A file that is not a proof is named with line and column.
run: printf '{"format": ' > bad.json; coop proof verify bad.json
exit: 1
--- stdout
--- stderr
coop: error: proof file 'bad.json':1:11: unexpected token near end of file
