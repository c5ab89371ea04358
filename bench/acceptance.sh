#!/usr/bin/env bash
# Acceptance comparison: does plimsoll reject exactly the Dockerfiles BuildKit rejects?
#
# Usage: bench/acceptance.sh [options] [CORPUS_DIR [PLIMSOLL_BIN]]
#
#   CORPUS_DIR    directory of Dockerfiles (default /var/cache/plimsoll-test/corpus;
#                 see bench/fetch-corpus.md for how to rebuild it)
#   PLIMSOLL_BIN  plimsoll binary (default target/release/plimsoll, built with
#                 `cargo build --release` when missing)
#
# Options:
#   -j JOBS        files checked in parallel (default: number of CPUs)
#   --tally-only   only list BuildKit's verdicts (no plimsoll needed)
#   --no-build     never run cargo; fail if the plimsoll binary is missing
#   -v             also list the files both sides reject, with both messages
#   -h, --help     this text
#
# Environment: TALLY (tally binary), PLIMSOLL (plimsoll binary).
#
# BuildKit's verdict comes from tally (pip install tally-cli==0.45.0), which embeds BuildKit's
# Dockerfile parser. Each file is fed on stdin, so file names do not matter:
#     tally lint --no-config --slow-checks off --ignore '*' --fail-level none - <FILE
#   exit 0/1  accepted (parsed; 1 would only mean lint findings)
#   exit 2    rejected by BuildKit's parser.Parse/instructions.Parse, stderr
#             "Error: failed to parse stdin: <BuildKit's message>"
#   exit 3    empty input (BuildKit: "file with no instructions"); counted as rejected
#   exit 4    tally's fail-fast syntax check, e.g. "Dockerfile has no stages to build"
#             (a build fails the same way); counted as rejected
# --slow-checks off keeps tally off the network (no registry look-ups).
#
# Plimsoll's verdict: `plimsoll check --select PL000 --format json FILE`; any finding
# whose code is PL000 (the parse-error rule) means plimsoll rejected the file. Exit
# status above 1 is counted as a plimsoll error.
#
# Output: the files where the two disagree, then totals and a machine-readable summary
# line. Exit status 0 when they agree on every file, 1 on any disagreement or tool
# error, 2 on a usage or setup problem.

set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
default_corpus=/var/cache/plimsoll-test/corpus
default_tally_venv=/var/cache/plimsoll-test/tally-venv

jobs=$(nproc 2>/dev/null || echo 2)
tally_only=0
no_build=0
verbose=0
positional=()

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "acceptance: $*" >&2; exit 2; }

while (($#)); do
    case $1 in
        -j) jobs=${2:?-j needs a number}; shift 2 ;;
        --tally-only) tally_only=1; shift ;;
        --no-build) no_build=1; shift ;;
        -v) verbose=1; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; positional+=("$@"); break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) positional+=("$1"); shift ;;
    esac
done
[[ $jobs =~ ^[1-9][0-9]*$ ]] || die "-j must be a positive integer"

corpus=${positional[0]:-$default_corpus}
plimsoll=${positional[1]:-${PLIMSOLL:-$repo_root/target/release/plimsoll}}

[[ -d $corpus ]] || die "no corpus directory at $corpus (see bench/fetch-corpus.md)"
corpus=$(cd "$corpus" && pwd)
command -v jq >/dev/null || die "jq is needed (apt-get install jq)"

if [[ -n ${TALLY:-} ]]; then
    tally=$TALLY
elif [[ -x $default_tally_venv/bin/tally ]]; then
    tally=$default_tally_venv/bin/tally
else
    tally=$(command -v tally || true)
fi
if [[ -z $tally || ! -x $tally ]]; then
    cat >&2 <<EOF
acceptance: tally not found (set TALLY, or put it on PATH). To install it:
    python3 -m venv $default_tally_venv
    $default_tally_venv/bin/pip install tally-cli==0.45.0
EOF
    exit 2
fi

if ((!tally_only)); then
    if [[ ! -x $plimsoll ]]; then
        if ((no_build)) || [[ $plimsoll != "$repo_root/target/release/plimsoll" ]]; then
            die "no plimsoll binary at $plimsoll"
        fi
        echo "acceptance: building plimsoll (cargo build --release)" >&2
        (cd "$repo_root" && cargo build --release --bin plimsoll) >&2
        [[ -x $plimsoll ]] || die "cargo build did not produce $plimsoll"
    fi
    plimsoll=$(cd "$(dirname "$plimsoll")" && pwd)/$(basename "$plimsoll")
fi

files=()
while IFS= read -r -d '' f; do
    files+=("$f")
done < <(cd "$corpus" && find . -maxdepth 1 -type f \
    \( -name '*Dockerfile*' -o -name '*Containerfile*' -o -name '*.dockerfile' \) \
    -printf '%P\0' | sort -z)
((${#files[@]} > 0)) || die "no Dockerfiles in $corpus"

work=$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-acceptance.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/out"

# check_one FILE: writes one line of fields separated by US (\x1f) to $work/out/FILE:
#   file  buildkit-verdict  buildkit-message  plimsoll-verdict  plimsoll-message
# where a verdict is accept, reject or error (or skip for plimsoll in --tally-only).
check_one() {
    local f=$1 path=$corpus/$1 status out err tv tm pv pm
    one_line() { tr '\t\n\r' '   ' | sed -e 's/  */ /g' -e 's/^ //' -e 's/ $//' | cut -c1-300; }

    status=0
    err=$(timeout 120 "$tally" lint --no-config --slow-checks off --ignore '*' \
        --fail-level none --no-color --format json - <"$path" 2>&1 >/dev/null) || status=$?
    case $status in
        0|1) tv=accept tm= ;;
        2) if [[ $err == *"failed to parse stdin:"* ]]; then
               tv=reject tm=${err#*failed to parse stdin: }
           else
               tv=error tm="tally exit 2: $err"
           fi ;;
        3) if [[ ! -s $path || $err == *"empty input"* ]]; then
               tv=reject tm="empty file (BuildKit: file with no instructions)"
           else
               tv=error tm="tally exit 3: $err"
           fi ;;
        4) tv=reject tm="line ${err#Error: <stdin>:}" ;;
        *) tv=error tm="tally exit $status: $err" ;;
    esac
    tm=$(printf '%s' "$tm" | one_line)

    if ((tally_only)); then
        pv=skip pm=
    else
        status=0
        out=$(timeout 120 "$plimsoll" check --select PL000 --format json "$path" 2>"$work/out/$f.stderr") || status=$?
        if ((status > 1)); then
            pv=error pm="plimsoll exit $status: $(one_line <"$work/out/$f.stderr")"
        elif ! pm=$(printf '%s' "$out" | jq -rs '
                [.. | objects
                    | select(((.code // .rule // .ruleId // "") | tostring) == "PL000")]
                | if length == 0 then "" else
                    (.[0] | (.message | if type == "object" then .text else . end) // "PL000")
                        as $m
                    | (try (.[0] | .line // .start.line // .location.start.line
                            // .range.start.line // .span.start.line) catch null) as $l
                    | (if $l then "line \($l): " else "" end) + ($m | tostring)
                  end' 2>/dev/null); then
            pv=error pm="output is not JSON: $(printf '%s' "$out" | one_line)"
        elif [[ -n $pm ]]; then
            pv=reject pm=$(printf '%s' "$pm" | one_line)
        else
            pv=accept pm=
        fi
        rm -f "$work/out/$f.stderr"
    fi
    printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$f" "$tv" "$tm" "$pv" "$pm" >"$work/out/$f"
}
export -f check_one
export corpus tally plimsoll tally_only work

echo "acceptance: ${#files[@]} files from $corpus, $jobs jobs" >&2
echo "acceptance: BuildKit via $("$tally" version 2>/dev/null | head -n1 || echo "$tally")" >&2
((tally_only)) || echo "acceptance: plimsoll $plimsoll" >&2
# shellcheck disable=SC2016 # "$1" is for the inner bash to expand
printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$jobs" bash -c 'check_one "$1"' _

total=0 both_accept=0 both_reject=0 bk_only=0 pl_only=0 bk_errors=0 pl_errors=0
bk_rejects=0
while IFS=$'\x1f' read -r f tv tm pv pm; do
    total=$((total + 1))
    [[ $tv == reject ]] && bk_rejects=$((bk_rejects + 1))
    if [[ $tv == error ]]; then
        bk_errors=$((bk_errors + 1))
        echo "ERROR     tally     $f"
        echo "          $tm"
        continue
    fi
    if ((tally_only)); then
        if [[ $tv == reject ]]; then
            echo "REJECTED  buildkit  $f"
            echo "          $tm"
        fi
        continue
    fi
    if [[ $pv == error ]]; then
        pl_errors=$((pl_errors + 1))
        echo "ERROR     plimsoll  $f"
        echo "          $pm"
        continue
    fi
    case $tv/$pv in
        accept/accept) both_accept=$((both_accept + 1)) ;;
        reject/reject)
            both_reject=$((both_reject + 1))
            if ((verbose)); then
                echo "AGREE     both reject  $f"
                echo "          buildkit: $tm"
                echo "          plimsoll: $pm"
            fi ;;
        reject/accept)
            bk_only=$((bk_only + 1))
            echo "DISAGREE  BuildKit rejects, plimsoll accepts  $f"
            echo "          buildkit: $tm" ;;
        accept/reject)
            pl_only=$((pl_only + 1))
            echo "DISAGREE  BuildKit accepts, plimsoll rejects  $f"
            echo "          plimsoll: $pm" ;;
    esac
done < <(find "$work/out" -type f -printf '%P\0' | sort -z | (cd "$work/out" && xargs -0 cat))

echo
if ((tally_only)); then
    echo "files: $total; BuildKit rejects $bk_rejects, accepts $((total - bk_rejects - bk_errors)); tally errors $bk_errors"
    echo "files=$total buildkit_reject=$bk_rejects buildkit_accept=$((total - bk_rejects - bk_errors)) tally_errors=$bk_errors"
    ((bk_errors == 0))
    exit
fi
disagree=$((bk_only + pl_only))
echo "files:                                  $total"
echo "agree, both accept:                     $both_accept"
echo "agree, both reject:                     $both_reject"
echo "disagree, BuildKit rejects, plimsoll accepts: $bk_only"
echo "disagree, BuildKit accepts, plimsoll rejects: $pl_only"
echo "errors: tally $bk_errors, plimsoll $pl_errors"
echo "files=$total agree=$((both_accept + both_reject)) both_accept=$both_accept both_reject=$both_reject" \
    "disagree=$disagree buildkit_reject_plimsoll_accept=$bk_only buildkit_accept_plimsoll_reject=$pl_only" \
    "tally_errors=$bk_errors plimsoll_errors=$pl_errors"
((disagree == 0 && bk_errors == 0 && pl_errors == 0))
