"""Honest test counts (issue 21, item 8): a suite whose every test skipped
reports "skipped" (exit 77, ctest's SKIP_RETURN_CODE), not "passed"; the
suites that must run (data sets, dashboard) fail on any skip where
AP_TEST_REQUIRED is set; scripts/run-tests.sh ends with
"N passed, N failed, N skipped", skipped ones not counted as passed."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
RUN_SUITE = os.path.join(ROOT, "tests", "lib", "run_suite.py")
BUILD = os.path.dirname(os.environ.get("AP_TEST_TMP", os.path.join(ROOT, "build", "asan", "x")))

SUITES = {
    "all_skipped": """
        class T(unittest.TestCase):
            @unittest.skip("no data here")
            def test_a(self): pass
            def test_b(self): self.skipTest("no browser")
        """,
    "some_skipped": """
        class T(unittest.TestCase):
            def test_a(self): self.assertEqual(1, 1)
            def test_b(self): self.skipTest("optional")
        """,
    "failing": """
        class T(unittest.TestCase):
            def test_a(self): self.skipTest("x")
            def test_b(self): self.assertEqual(1, 2)
        """,
    "empty": """
        class T(unittest.TestCase):
            pass
        """,
}


class RunSuite(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="ap-counts-", dir=os.environ.get("AP_TEST_TMP"))
        self.addCleanup(shutil.rmtree, self.dir, True)

    def run_suite(self, name, **env):
        path = os.path.join(self.dir, "test_%s.py" % name)
        with open(path, "w") as f:
            f.write("import unittest\n" + textwrap.dedent(SUITES[name]) +
                    "\nif __name__ == '__main__':\n    unittest.main()\n")
        full_env = {k: v for k, v in os.environ.items()
                    if k not in ("AP_TEST_MUST_RUN", "AP_TEST_REQUIRED")}
        full_env.update(env)
        return subprocess.run([sys.executable, RUN_SUITE, path], env=full_env,
                              capture_output=True, text=True, timeout=60)

    def test_exit_status_says_what_happened(self):
        for name, env, expected in [
            ("all_skipped", {}, 77),
            ("all_skipped", {"AP_TEST_REQUIRED": "1"}, 77),
            ("all_skipped", {"AP_TEST_MUST_RUN": "1"}, 77),
            ("all_skipped", {"AP_TEST_MUST_RUN": "1", "AP_TEST_REQUIRED": "1"}, 1),
            ("some_skipped", {}, 0),
            ("some_skipped", {"AP_TEST_MUST_RUN": "1", "AP_TEST_REQUIRED": "1"}, 1),
            ("failing", {}, 1),
            ("empty", {}, 1),
        ]:
            with self.subTest(name=name, env=env):
                p = self.run_suite(name, **env)
                self.assertEqual(p.returncode, expected, p.stderr)
        p = self.run_suite("all_skipped", AP_TEST_MUST_RUN="1", AP_TEST_REQUIRED="1")
        self.assertIn("no data here", p.stderr)
        self.assertIn("must run", p.stderr)

    def test_final_line_counts_skipped_apart(self):
        project = os.path.join(self.dir, "project")
        os.makedirs(project)
        with open(os.path.join(project, "CMakeLists.txt"), "w") as f:
            f.write(textwrap.dedent("""\
                cmake_minimum_required(VERSION 3.16)
                project(counts NONE)
                enable_testing()
                add_test(NAME passes COMMAND true)
                add_test(NAME passes_too COMMAND true)
                add_test(NAME fails COMMAND false)
                add_test(NAME skips COMMAND sh -c "exit 77")
                set_tests_properties(skips PROPERTIES SKIP_RETURN_CODE 77)
                """))
        build = os.path.join(project, "build")
        subprocess.run(["cmake", "-S", project, "-B", build], check=True, capture_output=True,
                       timeout=120)
        p = subprocess.run(["bash", "scripts/run-tests.sh", build], cwd=ROOT,
                           env=dict(os.environ, AP_TEST_PG="postgres://unused"),
                           capture_output=True, text=True, timeout=120)
        last = p.stdout.strip().splitlines()[-1]
        self.assertEqual(last, "2 passed, 1 failed, 1 skipped", p.stdout[-2000:])
        self.assertNotEqual(p.returncode, 0)


class Registration(unittest.TestCase):
    """What ctest was told about the suites of this build."""

    @classmethod
    def setUpClass(cls):
        p = subprocess.run(["ctest", "--show-only=json-v1"], cwd=BUILD, capture_output=True,
                           text=True, timeout=120, check=True)
        cls.tests, cls.commands = {}, {}
        for t in json.loads(p.stdout)["tests"]:
            cls.tests[t["name"]] = {prop["name"]: prop["value"] for prop in t.get("properties", [])}
            cls.commands[t["name"]] = t.get("command", [])

    def test_script_suites_report_skips(self):
        scripts = [name for name, command in self.commands.items()
                   if any(str(c).endswith(".py") for c in command)]
        self.assertGreater(len(scripts), 20)
        for name in scripts:
            with self.subTest(name):
                self.assertTrue(str(self.commands[name][1]).endswith("run_suite.py"))
                self.assertEqual(str(self.tests[name].get("SKIP_RETURN_CODE")), "77")

    def test_data_set_and_dashboard_suites_must_run(self):
        for name in ("gaps_test_banking77", "answers_test_answer_quality", "web_test_dashboard"):
            with self.subTest(name):
                self.assertIn("AP_TEST_MUST_RUN=1", self.tests[name].get("ENVIRONMENT", []))


if __name__ == "__main__":
    unittest.main()
