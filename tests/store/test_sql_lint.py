"""A lint that would catch a string-built SQL statement: every statement the
store runs must be a constant (a string literal, the statement table, an
embedded migration or the connection pragmas), with values bound as
parameters, and no SQL keyword may appear in a formatted string anywhere in
src/. Fails with the offending lines."""
import os
import re
import unittest

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "src")
# The SQL argument of each call that runs SQL (the second; PQprepare's third,
# after the statement name), and the constants allowed there.
SQL_CALLS = re.compile(r"\b(sqlite3_exec|sqlite3_prepare(?:_v2|_v3)?|PQexec|PQexecParams|PQprepare)\s*\(\s*[^,]+,\s*([^,()]+(?:\[[^\]]*\])?)")
ALLOWED_ARGUMENTS = re.compile(r'^("|stmt_sql\[|m->sql$|connection_pragmas$|STMT_SQL\[|statement_sql\[|command_sql\[)')
PQPREPARE = re.compile(r"\bPQprepare\s*\(\s*[^,]+,\s*[^,]+,\s*([^,]+)")
FORMATTED_SQL = re.compile(r'(printf|ap_buf_printf|snprintf|strcat|ap_buf_append_str)\s*\([^;]*"[^"]*\b(SELECT|INSERT|UPDATE|DELETE|WHERE)\b', re.I)


def c_files():
    for root, _, files in os.walk(SRC):
        for name in files:
            if name.endswith((".c", ".h")):
                yield os.path.join(root, name)


class SqlLint(unittest.TestCase):
    def test_statements_are_constants(self):
        problems = []
        for path in c_files():
            text = open(path, encoding="utf-8").read()
            for m in SQL_CALLS.finditer(text):
                argument = " ".join(m.group(2).split())
                if m.group(1) == "PQprepare":
                    argument = " ".join(PQPREPARE.match(text, m.start()).group(1).split())
                if not ALLOWED_ARGUMENTS.match(argument):
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append("%s:%d: %s(..., %s" % (os.path.relpath(path, SRC), line, m.group(1), argument))
        self.assertEqual(problems, [], "SQL run from a non-constant string")

    def test_no_sql_is_formatted(self):
        problems = []
        for path in c_files():
            for number, line in enumerate(open(path, encoding="utf-8"), 1):
                if FORMATTED_SQL.search(line):
                    problems.append("%s:%d: %s" % (os.path.relpath(path, SRC), number, line.strip()))
        self.assertEqual(problems, [], "SQL built with a formatting function")

    def test_the_lint_catches_a_built_query(self):
        bad = 'snprintf(sql, sizeof sql, "SELECT * FROM events WHERE id = \'%s\'", id);'
        self.assertTrue(FORMATTED_SQL.search(bad))
        m = SQL_CALLS.search("sqlite3_prepare_v2(s->db, sql_text, -1, &st, NULL)")
        self.assertFalse(ALLOWED_ARGUMENTS.match(m.group(2).strip()))
        m = PQPREPARE.search('PQprepare(s->conn, name, query_text, 0, NULL)')
        self.assertFalse(ALLOWED_ARGUMENTS.match(m.group(1).strip()))
        m = SQL_CALLS.search('PQexec(s->conn, sql);')
        self.assertFalse(ALLOWED_ARGUMENTS.match(m.group(2).strip()))


if __name__ == "__main__":
    unittest.main()
