#!/usr/bin/env python3
"""Runs `plimsoll check` for the GitHub Action.

Usage: run.py --plimsoll BIN [--annotations true|false] [--sarif FILE] -- CHECK-ARGS...

CHECK-ARGS go to `plimsoll check` (paths, --select, --fail-level, ...). The findings are
printed by plimsoll itself: with `--format github` (workflow commands, which the runner
turns into annotations on the pull request) when annotations are on, else with
`--format concise`. With --sarif, a second `plimsoll check --format sarif` writes the SARIF
2.1.0 log for code scanning; the file is replaced only once it is complete.

The exit status is plimsoll's: 0 clean, 1 findings at or above the fail level, 2 usage or
input error (also when the SARIF file can not be written).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile

USAGE_ERROR = 2


def check(plimsoll: str, check_args: list[str], output_format: str, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([plimsoll, "check", *check_args, "--format", output_format], **kwargs)


def write_sarif(plimsoll: str, check_args: list[str], path: str) -> int:
    """Writes `plimsoll check --format sarif` to `path` atomically; returns plimsoll's status,
    or 2 when it failed (the file is then left as it was)."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=directory, prefix=".plimsoll-", suffix=".sarif", delete=False) as out:
            temporary = out.name
            # Findings were already reported on stderr's side by the first run: only show
            # this run's messages when it fails.
            run = check(plimsoll, check_args, "sarif", stdout=out, stderr=subprocess.PIPE)
    except OSError as e:
        print(f"error: cannot write the SARIF file {path}: {e}", file=sys.stderr)
        return USAGE_ERROR
    if run.returncode not in (0, 1):
        os.unlink(temporary)
        sys.stderr.write(run.stderr.decode(errors="replace"))
        print("error: plimsoll could not write the SARIF log", file=sys.stderr)
        return USAGE_ERROR
    os.replace(temporary, path)
    print(f"plimsoll: SARIF written to {path}")
    return run.returncode


def main(argv: list[str]) -> int:
    own, check_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--plimsoll", required=True)
    parser.add_argument("--annotations", default="true")
    parser.add_argument("--sarif", default="")
    args = parser.parse_args(own)

    output_format = "github" if args.annotations.strip().lower() == "true" else "concise"
    sys.stdout.flush()
    try:
        run = check(args.plimsoll, check_args, output_format)
    except OSError as e:
        print(f"error: cannot run {args.plimsoll}: {e}", file=sys.stderr)
        return USAGE_ERROR
    if run.returncode not in (0, 1) or not args.sarif:
        return run.returncode
    sarif_status = write_sarif(args.plimsoll, check_args, args.sarif)
    return USAGE_ERROR if sarif_status == USAGE_ERROR else run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
