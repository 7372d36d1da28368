#!/usr/bin/env python3
"""Prints one closing line, 'tests: N passed, M failed', for a meson test run.

Counts every Criterion test case (from each test's 'Synthesis' line) and every
golden CLI case and shell-test check (from the scripts' closing 'NAME: N passed,
M failed' lines: cli, crosscheck, sync-net), read from
meson's log; a test executable that crashed before reporting counts as failed.
Usage: test-summary.py BUILD_DIR"""
import json
import re
import sys

passed = failed = 0
with open(f"{sys.argv[1]}/meson-logs/testlog.json", encoding="utf-8") as log:
    for line in log:
        test = json.loads(line)
        output = (test.get("stdout") or "") + (test.get("stderr") or "")
        synthesis = re.search(r"Synthesis: Tested: (\d+) \| Passing: (\d+) \| Failing: (\d+) \| Crashing: (\d+)", output)
        cli = re.search(r"^[\w/-]+: (\d+) passed, (\d+) failed$", output, re.M)
        if synthesis:
            passed += int(synthesis.group(2))
            failed += int(synthesis.group(3)) + int(synthesis.group(4))
        elif cli:
            passed += int(cli.group(1))
            failed += int(cli.group(2))
        elif test.get("result") != "OK":
            failed += 1
        if test.get("result") != "OK" and (synthesis or cli) and not failed:
            failed += 1
print(f"tests: {passed} passed, {failed} failed")
