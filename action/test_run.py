"""Tests the script the GitHub Action runs, against the real binary.

    cargo build && python3 -m unittest discover -s action -v

PLIMSOLL_BIN overrides the binary (default: target/debug/plimsoll).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import tempfile
import unittest

import subprocess

import run

REPO = pathlib.Path(__file__).resolve().parent.parent
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

    def action(self, *args: str) -> tuple[int, list[str]]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            status = run.main(["--plimsoll", BIN, *args])
        return status, out.getvalue().splitlines()

    def test_findings_become_annotations_and_fail(self) -> None:
        self.write("svc/Dockerfile", BAD)
        status, lines = self.action("--", ".")
        self.assertEqual(status, 1)
        annotations = [l for l in lines if l.startswith("::")]
        curl = [a for a in annotations if "title=PL103" in a]
        self.assertEqual(len(curl), 1, lines)
        column = BAD.splitlines()[2].index("curl") + 1
        self.assertTrue(
            curl[0].startswith(
                f"::warning file=svc/Dockerfile,line=3,col={column},endLine=3,endColumn={column + 4},"
                "title=PL103 apt-get-unpinned::"
            ),
            curl[0],
        )
        self.assertIn("svc/Dockerfile:3:", "\n".join(lines))

    def test_annotation_escaping(self) -> None:
        line = run.annotation(
            {
                "file": "a,b:c/Dockerfile",
                "severity": "info",
                "code": "PL1",
                "name": "x",
                "message": "50% done\nnext",
                "help": None,
                "start": {"line": 1, "column": 1},
                "end": {"line": 1, "column": 2},
            }
        )
        self.assertEqual(
            line,
            "::notice file=a%2Cb%3Ac/Dockerfile,line=1,col=1,endLine=1,endColumn=2,title=PL1 x::50%25 done%0Anext",
        )

    def test_fail_level_and_clean_files_pass(self) -> None:
        self.write("Dockerfile", CLEAN)
        status, lines = self.action("--", "Dockerfile")
        self.assertEqual(status, 0, lines)
        self.assertIn("plimsoll: 0 findings", lines)
        self.write("Dockerfile", BAD)
        status, _ = self.action("--annotations", "false", "--", "Dockerfile", "--fail-level", "error")
        self.assertEqual(status, 0, "warnings do not fail at --fail-level error")

    def test_usage_errors_exit_2(self) -> None:
        status, _ = self.action("--", "missing/Dockerfile")
        self.assertEqual(status, 2)

    def test_sarif(self) -> None:
        self.write("Dockerfile", BAD)
        status, _ = self.action("--sarif", "out.sarif", "--", "Dockerfile")
        self.assertEqual(status, 1)
        log = json.loads(pathlib.Path("out.sarif").read_text(encoding="utf-8"))
        self.assertEqual(log["version"], "2.1.0")
        (sarif_run,) = log["runs"]
        self.assertEqual(sarif_run["tool"]["driver"]["name"], "Plimsoll")
        self.assertEqual(sarif_run["columnKind"], "unicodeCodePoints")
        rules = sarif_run["tool"]["driver"]["rules"]
        results = sarif_run["results"]
        self.assertTrue(results)
        for result in results:
            rule = rules[result["ruleIndex"]]
            self.assertEqual(rule["id"], result["ruleId"])
            self.assertIn(result["level"], {"error", "warning", "note"})
            region = result["locations"][0]["physicalLocation"]["region"]
            self.assertGreaterEqual(region["startLine"], 1)
            self.assertEqual(result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], "Dockerfile")
        curl = next(r for r in results if r["ruleId"] == "PL103")
        region = curl["locations"][0]["physicalLocation"]["region"]
        self.assertEqual(BAD.encode()[region["byteOffset"] : region["byteOffset"] + region["byteLength"]], b"curl")
        self.assertEqual(rules[curl["ruleIndex"]]["properties"]["aliases"], ["DL3008"])

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
        self.assertEqual(titles, ["PL100 image-untagged"], "PL103 ignored by its alias")
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
