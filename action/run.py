#!/usr/bin/env python3
"""Runs `plimsoll check` for the GitHub Action: prints the findings, turns them into
workflow annotations and, when asked, writes a SARIF 2.1.0 file for code scanning.

Usage: run.py --plimsoll BIN [--annotations true|false] [--sarif FILE] -- CHECK-ARGS...

CHECK-ARGS go to `plimsoll check` (paths, --select, --fail-level, ...); `--format json` is
added here. The exit status is plimsoll's: 0 clean, 1 findings at or above the fail level,
2 usage or input error.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

ANNOTATION_LEVELS = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}
SARIF_LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(finding: dict[str, Any]) -> str:
    """One `::error file=…::message` workflow command."""
    level = ANNOTATION_LEVELS.get(finding["severity"], "warning")
    properties = {
        "file": finding["file"],
        "line": finding["start"]["line"],
        "col": finding["start"]["column"],
        "endLine": finding["end"]["line"],
        "endColumn": finding["end"]["column"],
        "title": f'{finding["code"]} {finding["name"]}'.strip(),
    }
    props = ",".join(f"{k}={escape_property(str(v))}" for k, v in properties.items())
    message = finding["message"]
    if finding.get("help"):
        message += "\nhelp: " + finding["help"]
    return f"::{level} {props}::{escape_data(message)}"


def concise(finding: dict[str, Any]) -> str:
    start = finding["start"]
    return f'{finding["file"]}:{start["line"]}:{start["column"]}: {finding["code"]} [{finding["severity"]}] {finding["message"]}'


def sarif(findings: list[dict[str, Any]], rules: list[dict[str, Any]], version: str) -> dict[str, Any]:
    """A SARIF 2.1.0 log. Columns count Unicode characters, as plimsoll reports them."""
    by_code = {r["code"]: r for r in rules}
    used = sorted({f["code"] for f in findings})
    driver_rules = []
    for code in used:
        rule = by_code.get(code, {"code": code, "name": code, "summary": "", "severity": "warning"})
        driver_rules.append(
            {
                "id": code,
                "name": rule["name"],
                "shortDescription": {"text": rule["summary"] or rule["name"]},
                "help": {"text": f"Run `plimsoll rule {code}` for the rule's page."},
                "defaultConfiguration": {"level": SARIF_LEVELS.get(rule["severity"], "warning")},
                "properties": {"aliases": rule.get("aliases", [])},
            }
        )
    index = {code: i for i, code in enumerate(used)}
    results = []
    for f in findings:
        message = f["message"] + (f"\nhelp: {f['help']}" if f.get("help") else "")
        results.append(
            {
                "ruleId": f["code"],
                "ruleIndex": index[f["code"]],
                "level": SARIF_LEVELS.get(f["severity"], "warning"),
                "message": {"text": message},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": f["file"], "uriBaseId": "%SRCROOT%"},
                            "region": {
                                "startLine": f["start"]["line"],
                                "startColumn": f["start"]["column"],
                                "endLine": f["end"]["line"],
                                "endColumn": f["end"]["column"],
                                "byteOffset": f["byte_start"],
                                "byteLength": f["byte_end"] - f["byte_start"],
                            },
                        }
                    }
                ],
            }
        )
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "Plimsoll", "version": version, "rules": driver_rules}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }


def main(argv: list[str]) -> int:
    own, check_args = (argv[: argv.index("--")], argv[argv.index("--") + 1 :]) if "--" in argv else (argv, [])
    parser = argparse.ArgumentParser()
    parser.add_argument("--plimsoll", required=True)
    parser.add_argument("--annotations", default="true")
    parser.add_argument("--sarif", default="")
    args = parser.parse_args(own)

    run = subprocess.run(
        [args.plimsoll, "check", *check_args, "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=sys.stderr,
        text=True,
    )
    try:
        findings = json.loads(run.stdout) if run.stdout.strip() else []
    except json.JSONDecodeError:
        sys.stdout.write(run.stdout)
        print("error: plimsoll did not print JSON", file=sys.stderr)
        return 2

    for finding in findings:
        print(concise(finding))
    print(f"plimsoll: {len(findings)} finding{'s' if len(findings) != 1 else ''}")
    if args.annotations.lower() == "true":
        for finding in findings:
            print(annotation(finding))

    if args.sarif:
        rules = json.loads(
            subprocess.run([args.plimsoll, "rule", "--all", "--format", "json"], check=True, stdout=subprocess.PIPE, text=True).stdout
        )
        version = subprocess.run([args.plimsoll, "--version"], stdout=subprocess.PIPE, text=True).stdout.split()[-1:]
        with open(args.sarif, "w", encoding="utf-8") as out:
            json.dump(sarif(findings, rules, version[0] if version else ""), out, indent=2)
            out.write("\n")
        print(f"plimsoll: SARIF written to {args.sarif}")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
