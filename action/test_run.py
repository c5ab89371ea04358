"""Tests the script the GitHub Action runs, against the real binary.

    cargo build && python3 -m unittest discover -s action -v

PLIMSOLL_BIN overrides the binary (default: target/debug/plimsoll).
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

REPO = pathlib.Path(__file__).resolve().parent.parent
SCRIPT = REPO / "action" / "run.py"
BIN = os.environ.get("PLIMSOLL_BIN", str(REPO / "target" / "debug" / "plimsoll"))

BAD = 'FROM debian:12\nLABEL note="é, 100%: fine"\nRUN apt-get update && apt-get install -y curl\n'
CLEAN = 'FROM debian:12@sha256:' + "0" * 64 + '\nUSER 1000\nCMD ["true"]\n'


class ActionScript(unittest.TestCase):
    def setUp(self) -> None:
        self.assertTrue(os.path.exists(BIN), f"{BIN} missing: run cargo build first")
        self.dir = tempfile.TemporaryDirectory()
        self.addCleanup(self.dir.cleanup)
        self.cwd = os.getcwd()
        os.chdir(self.dir.name)
        self.addCleanup(os.chdir, self.cwd)

    def write(self, name: str, text: str) -> None:
        path = pathlib.Path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def action(self, *args: str) -> tuple[int, list[str], str]:
        """Runs the script as the action does; returns its status, stdout lines and stderr."""
        done = subprocess.run(
            [sys.executable, str(SCRIPT), "--plimsoll", BIN, *args], capture_output=True, text=True
        )
        return done.returncode, done.stdout.splitlines(), done.stderr

    def plimsoll(self, *args: str) -> str:
        return subprocess.run([BIN, *args], capture_output=True, text=True).stdout

    def test_findings_become_annotations_and_fail(self) -> None:
        self.write("svc/Dockerfile", BAD)
        status, lines, _ = self.action("--", ".")
        self.assertEqual(status, 1)
        # Exactly what `plimsoll check --format github` prints: every line a workflow command.
        self.assertEqual(lines, self.plimsoll("check", ".", "--format", "github").splitlines())
        self.assertTrue(lines and all(l.startswith("::") for l in lines), lines)
        curl = [a for a in lines if "title=PL103" in a]
        self.assertEqual(len(curl), 1, lines)
        column = BAD.splitlines()[2].index("curl") + 1
        self.assertTrue(
            curl[0].startswith(
                f"::warning file=svc/Dockerfile,line=3,endLine=3,col={column},endColumn={column + 4},title=PL103::"
            ),
            curl[0],
        )

    def test_annotation_escaping(self) -> None:
        # `,` and `:` in the path and `%` in the message must not end the property or the
        # message early.
        self.write("a,b:c/Dockerfile", "FROM debian:12\nRUN apt-get install -y --no-install-recommends 'x%y'\n")
        status, lines, _ = self.action("--", ".", "--select", "PL103")
        self.assertEqual(status, 1)
        self.assertEqual(len(lines), 1, lines)
        self.assertTrue(lines[0].startswith("::warning file=a%2Cb%3Ac/Dockerfile,line=2,"), lines[0])
        message = lines[0].split("::", 2)[2]
        self.assertIn("x%25y", message)
        self.assertNotIn("x%y", message)

    def test_fail_level_and_clean_files_pass(self) -> None:
        self.write("Dockerfile", CLEAN)
        status, lines, _ = self.action("--", "Dockerfile")
        self.assertEqual((status, lines), (0, []))
        self.write("Dockerfile", BAD)
        status, lines, _ = self.action("--annotations", "false", "--", "Dockerfile", "--fail-level", "error")
        self.assertEqual(status, 0, "warnings do not fail at --fail-level error")
        self.assertTrue(lines, "findings are still listed")
        self.assertFalse(any(l.startswith("::") for l in lines), "concise, not annotations")
        self.assertTrue(any(l.startswith("Dockerfile:3:") and "PL103" in l for l in lines), lines)

    def test_usage_errors_exit_2_and_leave_the_sarif_file(self) -> None:
        self.write("out.sarif", "previous\n")
        status, _, stderr = self.action("--sarif", "out.sarif", "--", "missing/Dockerfile")
        self.assertEqual(status, 2)
        self.assertIn("missing", stderr)
        self.assertEqual(pathlib.Path("out.sarif").read_text(encoding="utf-8"), "previous\n")
        status, _, stderr = self.action("--", "Dockerfile", "--no-such-flag")
        self.assertEqual(status, 2)
        status, _, stderr = self.action("--plimsoll", "/nonexistent/plimsoll", "--", ".")
        self.assertEqual(status, 2)
        self.assertIn("cannot run", stderr)

    def test_sarif(self) -> None:
        self.write("Dockerfile", BAD)
        status, lines, _ = self.action("--sarif", "reports/out.sarif", "--", "Dockerfile")
        self.assertEqual(status, 1)
        self.assertIn("plimsoll: SARIF written to reports/out.sarif", lines)
        written = pathlib.Path("reports/out.sarif").read_text(encoding="utf-8")
        # plimsoll's own SARIF output, byte for byte (no conversion in between).
        self.assertEqual(written, self.plimsoll("check", "Dockerfile", "--format", "sarif"))
        log = json.loads(written)
        self.assertEqual(log["version"], "2.1.0")
        (sarif_run,) = log["runs"]
        self.assertEqual(sarif_run["tool"]["driver"]["name"], "Plimsoll")
        rules = sarif_run["tool"]["driver"]["rules"]
        results = sarif_run["results"]
        annotated = sorted(l.split("title=")[1].split("::")[0] for l in lines if l.startswith("::"))
        self.assertEqual(sorted(r["ruleId"] for r in results), annotated, "the same findings")
        for result in results:
            self.assertEqual(rules[result["ruleIndex"]]["id"], result["ruleId"])
            location = result["locations"][0]["physicalLocation"]
            self.assertEqual(location["artifactLocation"]["uri"], "Dockerfile")
        curl = next(r for r in results if r["ruleId"] == "PL103")
        region = curl["locations"][0]["physicalLocation"]["region"]
        column = BAD.splitlines()[2].index("curl") + 1
        self.assertEqual((region["startLine"], region["startColumn"], region["endColumn"]), (3, column, column + 4))
        self.assertEqual(rules[curl["ruleIndex"]]["properties"]["aliases"], ["DL3008"])
        self.assertEqual([p.name for p in pathlib.Path("reports").iterdir()], ["out.sarif"], "no temporary left")

    def test_the_action_step_as_github_runs_it(self) -> None:
        """The `plimsoll check` step of action.yml, run by bash with the inputs as env."""
        import yaml  # PyYAML (comes with pre-commit)

        steps = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))["runs"]["steps"]
        step = next(s for s in steps if s.get("name") == "plimsoll check")
        # A stand-in for the action's checkout: its script and a built binary.
        action = pathlib.Path(self.dir.name) / "action-checkout"
        (action / "action").mkdir(parents=True)
        (action / "target" / "release").mkdir(parents=True)
        (action / "action" / "run.py").symlink_to(REPO / "action" / "run.py")
        (action / "target" / "release" / "plimsoll").symlink_to(BIN)
        self.write("a b/Dockerfile", CLEAN)
        self.write("svc/Dockerfile", "FROM debian\nRUN apt-get install -y curl\n")

        def step_run(**inputs: str) -> subprocess.CompletedProcess[str]:
            env = dict(os.environ, GITHUB_ACTION_PATH=str(action), **inputs)
            return subprocess.run(
                ["bash", "-e", "-c", step["run"]], env=env, text=True, capture_output=True
            )

        done = step_run(
            PLIMSOLL_PATHS="svc *",
            PLIMSOLL_ARGS="--ignore DL3008 --select PL1",
            PLIMSOLL_FAIL_LEVEL="warning",
            PLIMSOLL_ANNOTATIONS="true",
            PLIMSOLL_SARIF="out.sarif",
        )
        self.assertEqual(done.returncode, 2, "`*` is a path, not a glob: it does not exist")
        done = step_run(
            PLIMSOLL_PATHS="svc",
            PLIMSOLL_ARGS="--ignore DL3008 --select PL1",
            PLIMSOLL_FAIL_LEVEL="warning",
            PLIMSOLL_ANNOTATIONS="true",
            PLIMSOLL_SARIF="out.sarif",
        )
        self.assertEqual(done.returncode, 1, done.stdout + done.stderr)
        titles = [l.split("title=")[1].split("::")[0] for l in done.stdout.splitlines() if l.startswith("::")]
        self.assertEqual(titles, ["PL100"], "PL103 ignored by its alias")
        self.assertTrue(pathlib.Path("out.sarif").exists())
        done = step_run(
            PLIMSOLL_PATHS="svc",
            PLIMSOLL_ARGS="",
            PLIMSOLL_FAIL_LEVEL="error",
            PLIMSOLL_ANNOTATIONS="false",
            PLIMSOLL_SARIF="",
        )
        self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
        self.assertFalse(any(l.startswith("::") for l in done.stdout.splitlines()))


if __name__ == "__main__":
    unittest.main()
