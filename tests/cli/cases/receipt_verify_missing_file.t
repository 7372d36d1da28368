# A receipt file that does not exist is named in the error (was: "receipt:
# cannot open"), exit 1.
run: coop receipt verify receipt-2026-03.json --municipality 1a2b-3c4d-5e6f-7081
exit: 1
--- stdout
--- stderr
coop: error: receipt-2026-03.json: cannot open: No such file or directory
