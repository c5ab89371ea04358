//! Stages for another platform: files only, RUN refused before anything runs.

use super::*;

fn foreign() -> &'static str {
    if crate::build::instructions::host_platform() == "linux/arm64" {
        "linux/amd64"
    } else {
        "linux/arm64"
    }
}

#[test]
fn foreign_platform_stages_build_files_and_refuse_run_early() {
    let f = fixture();
    f.file("app.bin", "binary");
    let out = f.build(&format!(
        "FROM --platform={} scratch\nCOPY app.bin /app\nCMD [\"/app\"]\n",
        foreign()
    ));
    let arch = foreign().trim_start_matches("linux/");
    assert_eq!(out.image.config.oci.architecture().to_string(), arch);
    assert_eq!(f.paths(&out.image, 0), ["app"]);

    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(&format!(
            "FROM scratch AS native\nRUN write /x 1\nFROM --platform={} scratch AS cross\nCOPY app.bin /app\nRUN write /y 1\n",
            foreign()
        ))
        .build()
        .unwrap();
    let (result, log) = f.build_with(&runner, options);
    let err = result.unwrap_err().to_string();
    assert!(err.contains("RUN at line 5 would need emulation"), "{err}");
    assert!(
        !log.iter().any(|l| l.starts_with("step")),
        "nothing ran: {log:?}"
    );
    assert!(runner.specs().is_empty());

    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(&format!("FROM --platform={} base:1\n", foreign()))
        .resolver(f.resolver())
        .build()
        .unwrap();
    let err = f.build_with(&runner, options).0.unwrap_err().to_string();
    // base:1 is a single image for this machine: not one for the stage's platform.
    assert!(
        err.contains(&format!(
            "is an image for {}, not {}",
            crate::build::instructions::host_platform(),
            foreign()
        )),
        "{err}"
    );
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options("FROM --platform=linux scratch\n")
        .build()
        .unwrap();
    let err = f.build_with(&runner, options).0.unwrap_err().to_string();
    assert!(err.contains("expected OS/ARCH"), "{err}");
}

#[test]
fn a_root_file_system_base_is_taken_for_the_stages_platform() {
    let f = fixture();
    let root = f.dir.path().join("foreign-root");
    std::fs::create_dir_all(root.join("etc")).unwrap();
    std::fs::write(root.join("etc/os"), "foreign").unwrap();
    let runner = FakeRunner::new(&f.syscall);
    let options = f
        .options(&format!("FROM --platform={} root:1\nENV X=1\n", foreign()))
        .resolver(Resolver::new(vec![
            BaseMapping::parse(&format!("root:1=rootfs:{}", root.display())).unwrap(),
        ]))
        .build()
        .unwrap();
    let (out, log) = f.build_with(&runner, options);
    let out = out.unwrap_or_else(|e| panic!("{e}: {log:?}"));
    assert_eq!(
        out.image.config.oci.architecture().to_string(),
        foreign().trim_start_matches("linux/")
    );
    assert_eq!(f.paths(&out.image, 0), ["etc/", "etc/os"]);
}
