# A global --dir without a directory, or an empty one, is a usage error.
run: coop --dir; coop --dir "" bal; coop --dir nowhere bal
exit: 1
--- stdout
--- stderr
coop: error: --dir needs a directory: coop --dir DIR <command> [options]
coop: error: --dir must not be empty
coop: error: no node at 'nowhere' (run 'coop init' first)
