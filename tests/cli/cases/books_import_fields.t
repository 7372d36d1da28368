exit: 0
--- stdout
--- stderr
