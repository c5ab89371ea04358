//! ADD from URLs and git repositories (served on 127.0.0.1 by the test itself), compressed
//! archives, `--parents`, symbolic `--chmod` and `--link`.

use super::*;
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A fixed answer: path, extra headers, body.
type Route = (&'static str, Vec<(&'static str, String)>, Vec<u8>);

/// A tiny HTTP/1.0 server on loopback: GET of fixed routes, then of files below `root`.
struct Server {
    base: String,
    requests: Arc<AtomicUsize>,
}

fn serve(routes: Vec<Route>, root: Option<PathBuf>) -> Server {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(AtomicUsize::new(0));
    let counter = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            counter.fetch_add(1, Ordering::SeqCst);
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            let _ = reader.read_line(&mut line);
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                    break;
                }
            }
            let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
            let path = path.split('?').next().unwrap_or("").to_string();
            let found = routes
                .iter()
                .find(|r| r.0 == path)
                .map(|r| (r.1.clone(), r.2.clone()))
                .or_else(|| {
                    let root = root.as_ref()?;
                    if path.contains("..") {
                        return None;
                    }
                    let file = root.join(path.trim_start_matches('/'));
                    std::fs::read(file).ok().map(|b| (Vec::new(), b))
                });
            let response = match found {
                Some((headers, body)) => {
                    let mut head = format!("HTTP/1.0 200 OK\r\nContent-Length: {}\r\n", body.len());
                    for (k, v) in headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str("\r\n");
                    [head.into_bytes(), body].concat()
                }
                None => b"HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    Server { base, requests }
}

fn sha256_hex(bytes: &[u8]) -> String {
    crate::digest::Digest::of(bytes).hex().to_string()
}

/// `(path, mode, mtime, content)` of every entry in a layer.
fn headers(f: &Fixture, image: &Image, index: usize) -> Vec<(String, u32, u64, String)> {
    let layer = &image.layers[index];
    let file = f.store.open_blob(&layer.digest).unwrap();
    let reader = layer.compression.decoder(file);
    tar::Archive::new(reader)
        .entries()
        .unwrap()
        .map(|e| {
            let mut e = e.unwrap();
            let mut text = String::new();
            let _ = e.read_to_string(&mut text);
            (
                e.path().unwrap().display().to_string(),
                e.header().mode().unwrap(),
                e.header().mtime().unwrap(),
                text,
            )
        })
        .collect()
}

fn fails(f: &Fixture, dockerfile: &str) -> String {
    let runner = FakeRunner::new(&f.syscall);
    let (result, _) = f.build_with(&runner, f.options(dockerfile).build().unwrap());
    match result {
        Ok(_) => panic!("the build should fail:\n{dockerfile}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn add_downloads_urls_and_checks_checksums() {
    let body = b"payload\n".to_vec();
    let mut tgz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let mut inner = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(1);
    h.set_mode(0o644);
    h.set_cksum();
    inner.append_data(&mut h, "x", &b"x"[..]).unwrap();
    tgz.write_all(&inner.into_inner().unwrap()).unwrap();
    let server = serve(
        vec![
            (
                "/files/app.txt",
                vec![("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT".into())],
                body.clone(),
            ),
            ("/pkg.tar.gz", Vec::new(), tgz.finish().unwrap()),
            ("/", Vec::new(), b"index".to_vec()),
        ],
        None,
    );
    let url = format!("{}/files/app.txt", server.base);
    let good = format!("sha256:{}", sha256_hex(&body));
    let f = fixture();
    let dockerfile = format!(
        "FROM scratch\nADD --checksum={good} {url} /dl/\nADD {url} /named\nADD {base}/pkg.tar.gz {base}/ /many/\n",
        base = server.base
    );
    let out = f.build(&dockerfile);
    let layer = headers(&f, &out.image, 0);
    assert_eq!(
        layer[1],
        (
            "dl/app.txt".to_string(),
            0o600,
            1_445_412_480,
            "payload\n".to_string()
        ),
        "mode 600 and Last-Modified, as Docker does"
    );
    assert_eq!(f.paths(&out.image, 1), ["named"]);
    assert_eq!(
        f.paths(&out.image, 2),
        ["many/", "many/__unnamed__", "many/pkg.tar.gz"],
        "remote archives are not extracted; a URL without a path is __unnamed__"
    );
    // A rebuild: the checksummed source is not downloaded again, the others are (their
    // content is only known that way), and the result is the same image.
    let before = server.requests.load(Ordering::SeqCst);
    let again = f.build(&dockerfile);
    assert_eq!(again.stored, out.stored);
    assert_eq!(server.requests.load(Ordering::SeqCst) - before, 3);

    let bad = format!("sha256:{}", sha256_hex(b"something else"));
    let err = fails(
        &f,
        &format!("FROM scratch\nADD --checksum={bad} {url} /dl/\n"),
    );
    assert!(err.contains("checksum mismatch"), "{err}");
    assert!(
        err.contains(&good),
        "the error shows the real digest: {err}"
    );
    let err = fails(
        &f,
        &format!("FROM scratch\nADD --checksum=sha256:abc {url} /dl/\n"),
    );
    assert!(err.contains("--checksum=sha256:abc"), "{err}");
    let err = fails(
        &f,
        &format!("FROM scratch\nADD {}/missing /x\n", server.base),
    );
    assert!(err.contains("404"), "{err}");
    let err = fails(&f, &format!("FROM scratch\nCOPY {url} /x\n"));
    assert!(err.contains("COPY takes no URLs"), "{err}");
    f.file("local.txt", "l");
    let err = fails(
        &f,
        &format!("FROM scratch\nADD --checksum={good} local.txt /x\n"),
    );
    assert!(err.contains("URL or a git repository"), "{err}");
    assert!(
        f.store
            .root()
            .join("tmp")
            .read_dir()
            .unwrap()
            .next()
            .is_none(),
        "no download left behind"
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["-c", "user.name=t", "-c", "user.email=t@example.com"])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2020-01-01T00:00:00Z")
        .env("GIT_COMMITTER_DATE", "2020-01-01T00:00:00Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn add_checks_out_git_repositories() {
    let f = fixture();
    let work = f.dir.path().join("work");
    std::fs::create_dir_all(work.join("sub")).unwrap();
    std::fs::write(work.join("README"), "v1 readme\n").unwrap();
    std::fs::write(work.join("sub/lib.txt"), "v1 lib\n").unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    git(&work, &["add", "."]);
    git(&work, &["commit", "-q", "-m", "one"]);
    git(&work, &["tag", "-a", "v1", "-m", "v1"]);
    let v1 = git(&work, &["rev-parse", "HEAD"]);
    std::fs::write(work.join("README"), "v2 readme\n").unwrap();
    git(&work, &["commit", "-q", "-am", "two"]);
    let served = f.dir.path().join("served");
    std::fs::create_dir(&served).unwrap();
    let bare = served.join("repo.git");
    git(
        f.dir.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    git(&bare, &["update-server-info"]);
    let server = serve(Vec::new(), Some(served));
    let repo = format!("{}/repo.git", server.base);

    let out = f.build(&format!(
        "FROM scratch\nADD {repo}#v1:sub /lib/\nADD --keep-git-dir=true {repo} /full\nADD --checksum={} {repo}#v1 /pinned/\n",
        &v1[..12]
    ));
    let lib = headers(&f, &out.image, 0);
    assert_eq!(
        lib.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["lib/", "lib/lib.txt"]
    );
    assert_eq!(lib[1].2, 1_577_836_800, "files get the commit's time");
    let full = f.paths(&out.image, 1);
    assert!(full.contains(&"full/README".to_string()), "{full:?}");
    assert!(
        full.contains(&"full/.git/HEAD".to_string()),
        "--keep-git-dir: {full:?}"
    );
    let readme = f
        .layer(&out.image, 1)
        .into_iter()
        .find(|e| e.0 == "full/README")
        .unwrap();
    assert_eq!(readme.2, "v2 readme\n", "the default branch");
    let pinned = f.layer(&out.image, 2);
    assert!(!pinned.iter().any(|e| e.0.contains(".git")), "{pinned:?}");
    assert!(
        pinned
            .iter()
            .any(|e| e.0 == "pinned/README" && e.2 == "v1 readme\n")
    );

    let err = fails(
        &f,
        &format!("FROM scratch\nADD --checksum=0123456789 {repo}#v1 /x/\n"),
    );
    assert!(
        err.contains("checksum mismatch") && err.contains(&v1),
        "{err}"
    );
    let err = fails(&f, &format!("FROM scratch\nADD {repo}#nope /x/\n"));
    assert!(err.contains("no ref `nope`"), "{err}");
    let err = fails(
        &f,
        &format!("FROM scratch\nADD {}/absent.git /x/\n", server.base),
    );
    assert!(
        err.starts_with("step 2/2") && err.contains("absent.git"),
        "{err}"
    );
    let err = fails(
        &f,
        &format!(
            "FROM scratch\nADD --keep-git-dir {}/file /x/\n",
            server.base
        ),
    );
    assert!(err.contains("git repository source only"), "{err}");
}

#[test]
fn add_extracts_compressed_archives() {
    let f = fixture();
    let mut plain = tar::Builder::new(Vec::new());
    let mut h = tar::Header::new_gnu();
    h.set_size(3);
    h.set_mode(0o644);
    h.set_cksum();
    plain.append_data(&mut h, "pkg/data", &b"abc"[..]).unwrap();
    let plain = plain.into_inner().unwrap();
    let mut bz = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
    bz.write_all(&plain).unwrap();
    let mut xz = xz2::write::XzEncoder::new(Vec::new(), 1);
    xz.write_all(&plain).unwrap();
    let zst =
        ruzstd::encoding::compress_to_vec(&plain[..], ruzstd::encoding::CompressionLevel::Fastest);
    std::fs::write(f.ctx().join("a.tar.bz2"), bz.finish().unwrap()).unwrap();
    std::fs::write(f.ctx().join("a.tar.xz"), xz.finish().unwrap()).unwrap();
    std::fs::write(f.ctx().join("a.tar.zst"), zst).unwrap();
    let out = f.build("FROM scratch\nADD a.tar.bz2 /bz/\nADD a.tar.xz /xz/\nADD a.tar.zst /zst/\nADD --unpack=false a.tar.xz /raw/\n");
    for (i, dir) in ["bz", "xz", "zst"].iter().enumerate() {
        let layer = f.layer(&out.image, i);
        assert_eq!(layer.last().unwrap().0, format!("{dir}/pkg/data"));
        assert_eq!(layer.last().unwrap().2, "abc");
    }
    assert_eq!(f.paths(&out.image, 3), ["raw/", "raw/a.tar.xz"]);
}

#[test]
fn copy_parents_symbolic_chmod_and_link() {
    let f = fixture();
    f.file("x/a.txt", "xa");
    f.file("y/a.txt", "ya");
    f.file("x/deep/b.txt", "xb");
    f.file("bin/tool", "tool");
    std::fs::set_permissions(
        f.ctx().join("bin/tool"),
        std::fs::Permissions::from_mode(0o700),
    )
    .unwrap();
    let out = f.build(
        "FROM scratch
COPY --parents ./x/a.txt ./y/a.txt /parents/
COPY --parents ./x/./deep/*.txt /pivot/
COPY --parents x/deep /whole/
COPY --chmod=u=rwX,go=rX bin /opt/
COPY --chmod=+x x/a.txt /run.sh
",
    );
    assert_eq!(
        f.paths(&out.image, 0),
        [
            "parents/",
            "parents/x/",
            "parents/x/a.txt",
            "parents/y/",
            "parents/y/a.txt"
        ]
    );
    assert_eq!(
        f.paths(&out.image, 1),
        ["pivot/", "pivot/deep/", "pivot/deep/b.txt"]
    );
    assert_eq!(
        f.paths(&out.image, 2),
        ["whole/", "whole/x/", "whole/x/deep/", "whole/x/deep/b.txt"]
    );
    let opt = headers(&f, &out.image, 3);
    assert_eq!((opt[1].0.as_str(), opt[1].1), ("opt/tool", 0o755));
    let script = headers(&f, &out.image, 4);
    assert_eq!((script[0].0.as_str(), script[0].1), ("run.sh", 0o755));
    let err = fails(&f, "FROM scratch\nCOPY --chmod=u+q x/a.txt /y\n");
    assert!(err.contains("symbolic"), "{err}");

    // --link: the layer does not copy the image's directories up or follow its links.
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM base:1\nCOPY x/a.txt /sbin/linked/\nCOPY --link x/a.txt /sbin/linked/\nCOPY --link x/a.txt /etc\n")
        .resolver(f.resolver())
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    let out = result.unwrap_or_else(|e| panic!("{e}\n{log:#?}"));
    let n = out.image.layers.len();
    assert_eq!(
        f.paths(&out.image, n - 3),
        ["bin/", "bin/linked/", "bin/linked/a.txt"],
        "without --link the image's link /sbin → bin is followed"
    );
    let linked = headers(&f, &out.image, n - 2);
    assert_eq!(
        linked.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        ["sbin/", "sbin/linked/", "sbin/linked/a.txt"]
    );
    assert_eq!(linked[0].1, 0o755, "a fresh directory, not the image's");
    assert_eq!(
        f.paths(&out.image, n - 1),
        ["etc/", "etc/a.txt"],
        "an existing directory of the image still receives the file"
    );
}
