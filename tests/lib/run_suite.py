"""Runs one Python test file the way ctest reads it (tests/CMakeLists.txt
registers every script through here): exit 0 when its tests passed, 1 when one
failed or none ran, 77 (ctest's SKIP_RETURN_CODE, reported as skipped) when
every test skipped. A suite registered with AP_TEST_MUST_RUN (the data-set
suites, the dashboard) fails when any of its tests skipped and
AP_TEST_REQUIRED is set, as `make test` and CI set it: there the data and the
browsers are installed, so a skip means something was not checked that should
have been (a dashboard whose scenarios all skip still ran its few plain-HTTP
tests, and passed).

usage: run_suite.py SCRIPT [unittest arguments]"""
import os
import runpy
import sys
import unittest

EXIT_PASSED, EXIT_FAILED, EXIT_SKIPPED = 0, 1, 77


def suite_status(result, must_run):
    """The exit status for a finished unittest result."""
    if result.failures or result.errors or result.unexpectedSuccesses:
        return EXIT_FAILED
    if result.testsRun == 0:
        print("run_suite: no test ran", file=sys.stderr)
        return EXIT_FAILED
    reasons = sorted({reason for _, reason in result.skipped})
    if must_run and reasons:
        print("run_suite: %d of %d tests skipped, but this suite must run here "
              "(AP_TEST_REQUIRED):\n  %s" % (len(result.skipped), result.testsRun,
                                              "\n  ".join(reasons)), file=sys.stderr)
        return EXIT_FAILED
    if len(result.skipped) < result.testsRun:
        return EXIT_PASSED
    print("run_suite: every test skipped:\n  " + "\n  ".join(reasons), file=sys.stderr)
    return EXIT_SKIPPED


class SuiteProgram(unittest.TestProgram):
    """unittest.main as the script calls it, ending with suite_status."""

    def runTests(self):
        self.exit = False
        super().runTests()
        must_run = bool(os.environ.get("AP_TEST_MUST_RUN") and os.environ.get("AP_TEST_REQUIRED"))
        sys.exit(suite_status(self.result, must_run))


def main():
    script = os.path.abspath(sys.argv[1])
    sys.argv = [script] + sys.argv[2:]
    sys.path.insert(0, os.path.dirname(script))  # as when the script runs by itself
    unittest.main = SuiteProgram
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
