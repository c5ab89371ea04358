#!/usr/bin/env python3
"""Build the Plimsoll benchmark corpus (see bench/fetch-corpus.md).

Usage: bench/collect-corpus.py [--from-sources SOURCES] MIRROR_ROOT [OUT_DIR]

MIRROR_ROOT holds one git repository per source, in any of these layouts:
  <owner>+<repo>/repo       (bare; what the project's fetch tooling produces)
  <owner>+<repo>.git        (bare)
  <owner>/<repo>            (a `git clone`, or a bare clone)
Files are read from each repository's HEAD commit; nothing is checked out.
OUT_DIR (default /var/cache/plimsoll-test/corpus) is created flat, with SOURCES.txt.
Selection is deterministic for given commits: candidates sorted by path, templates
and duplicates dropped, then an evenly spaced sample of at most `cap` files.

--from-sources SOURCES rebuilds exactly the corpus a SOURCES.txt (e.g.
bench/corpus-sources.tsv) describes, reading each listed path at its listed commit;
the repositories must contain those commits (a full clone does).
"""
import hashlib, os, re, subprocess, sys

# (owner/repo, cap, optional path regex filter). cap=None -> take all.
REPOS = [
    ("docker-library/python", 15, None),
    ("docker-library/php", 15, None),
    ("docker-library/golang", 10, None),
    ("docker-library/postgres", 8, None),
    ("docker-library/redis", 6, None),
    ("docker-library/ruby", 8, None),
    ("docker-library/mysql", 4, None),
    ("docker-library/buildpack-deps", 10, None),
    ("docker-library/docker", 5, None),
    ("nginxinc/docker-nginx", 10, None),
    ("nodejs/docker-node", 10, None),
    ("rust-lang/docker-rust", 8, None),
    ("jupyter/docker-stacks", None, None),
    ("tianon/dockerfiles", 70, None),
    ("jessfraz/dockerfiles", 70, None),
    ("hadolint/hadolint", None, None),
    ("moby/buildkit", None, None),
    ("GoogleContainerTools/distroless", None, None),
    ("docker/awesome-compose", None, None),
    ("microsoft/vscode-dev-containers", 50, None),
    ("devcontainers/images", None, None),
    ("GoogleCloudPlatform/microservices-demo", None, None),
    ("open-telemetry/opentelemetry-demo", None, None),
    ("containers/buildah", 40, None),
    ("dotnet/dotnet-docker", 40, r"^(src|samples)/"),
]

NAME_RE = re.compile(r"^(Dockerfile|Containerfile)(\..+)?$|.+\.(Dockerfile|dockerfile|Containerfile)$")
MAX_SIZE = 200 * 1024
# unrendered templates: *.template etc., %%PLACEHOLDER%% (docker-library style),
# Go/Jinja/gomplate {{ ... }} or {% ... %}
TEMPLATE_NAME_RE = re.compile(r"\.(template|tmpl|tpl|j2|jinja2?|in)$")
PCT_PLACEHOLDER_RE = re.compile(rb"%%[A-Za-z0-9_.-]+%%")


def git_dir(root, repo):
    owner, name = repo.split("/")
    for cand in (os.path.join(root, f"{owner}+{name}", "repo"),
                 os.path.join(root, f"{owner}+{name}.git"),
                 os.path.join(root, owner, name, ".git"),
                 os.path.join(root, owner, name)):
        if os.path.isdir(cand) and os.path.exists(os.path.join(cand, "HEAD")):
            return cand
    return None


def git(gd, *args, binary=False):
    out = subprocess.run(["git", "--git-dir", gd, *args], check=True, capture_output=True).stdout
    return out if binary else out.decode()


def spread(items, n):
    if n is None or len(items) <= n:
        return items
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def from_sources(sources_file, root, out):
    missing = 0
    lines = []
    with open(sources_file) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            name, repo, path, commit = line.rstrip("\n").split("\t")
            gd = git_dir(root, repo)
            try:
                if gd is None:
                    raise FileNotFoundError(repo)
                data = git(gd, "show", f"{commit}:{path}", binary=True)
            except (FileNotFoundError, subprocess.CalledProcessError):
                print(f"cannot read {repo} {path} at {commit}", file=sys.stderr)
                missing += 1
                continue
            with open(os.path.join(out, name), "wb") as o:
                o.write(data)
            lines.append(line.rstrip("\n"))
    with open(os.path.join(out, "SOURCES.txt"), "w") as f:
        f.write("# corpus file\trepository\tpath in repository\tcommit\n")
        f.write("\n".join(lines) + "\n")
    print(f"total {len(lines)} files; {missing} missing", file=sys.stderr)


def main():
    args = sys.argv[1:]
    sources_file = None
    if len(args) >= 2 and args[0] == "--from-sources":
        sources_file, args = args[1], args[2:]
    if len(args) not in (1, 2) or args[0] in ("-h", "--help"):
        sys.exit(__doc__)
    root = args[0]
    out = args[1] if len(args) == 2 else "/var/cache/plimsoll-test/corpus"
    os.makedirs(out, exist_ok=True)
    if any(n.endswith(".Dockerfile") for n in os.listdir(out)):
        sys.exit(f"{out} already holds a corpus; remove it first")
    if sources_file:
        from_sources(sources_file, root, out)
        return
    seen = set()
    sources = []
    stats = {"template": 0, "too_big": 0, "duplicate": 0, "binary": 0}
    for repo, cap, pat in REPOS:
        gd = git_dir(root, repo)
        if gd is None:
            print(f"missing mirror for {repo}", file=sys.stderr)
            continue
        commit = git(gd, "rev-parse", "HEAD").strip()
        cands = []
        for line in git(gd, "ls-tree", "-r", "-l", "HEAD").splitlines():
            meta, path = line.split("\t", 1)
            mode, typ, oid, size = meta.split()
            if typ != "blob" or mode == "120000":
                continue
            if not NAME_RE.match(os.path.basename(path)):
                continue
            if pat and not re.search(pat, path):
                continue
            if size == "-" or int(size) > MAX_SIZE:
                stats["too_big"] += 1
                continue
            cands.append((path, oid))
        cands.sort()
        # filter before sampling so caps count usable files
        usable = []
        for path, oid in cands:
            data = git(gd, "cat-file", "blob", oid, binary=True)
            if b"\0" in data:
                stats["binary"] += 1
                continue
            if (TEMPLATE_NAME_RE.search(path) or PCT_PLACEHOLDER_RE.search(data)
                    or b"{{" in data or b"{%" in data):
                stats["template"] += 1
                continue
            h = hashlib.sha256(data).hexdigest()
            if h in seen or any(h == u[2] for u in usable):
                stats["duplicate"] += 1
                continue
            usable.append((path, data, h))
        taken = spread(usable, cap)
        for path, data, h in taken:
            seen.add(h)
            name = repo.replace("/", "__") + "__" + path.replace("/", "__")
            if not name.endswith(".Dockerfile"):
                name += ".Dockerfile"
            with open(os.path.join(out, name), "wb") as f:
                f.write(data)
            sources.append(f"{name}\t{repo}\t{path}\t{commit}")
        print(f"{repo}: {len(cands)} candidates, {len(usable)} usable, {len(taken)} taken", file=sys.stderr)
    with open(os.path.join(out, "SOURCES.txt"), "w") as f:
        f.write("# corpus file\trepository\tpath in repository\tcommit\n")
        f.write("\n".join(sources) + "\n")
    print(f"total {len(sources)} files; skipped {stats}", file=sys.stderr)


if __name__ == "__main__":
    main()
