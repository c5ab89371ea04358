//! What every test of the real binary needs: the binary, run in a scratch project.

use insta_cmd::get_cargo_bin;
use std::path::Path;
use std::process::Command;
use tempfile::TempDir;

/// `plimsoll` run in `dir`, without colours whatever the test runner's terminal is.
pub fn plimsoll(dir: &Path) -> Command {
    let mut cmd = Command::new(get_cargo_bin("plimsoll"));
    cmd.current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE");
    cmd
}

/// A temporary directory holding `files` (path, content), parents created as needed.
pub fn project(files: &[(&str, &str)]) -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}
