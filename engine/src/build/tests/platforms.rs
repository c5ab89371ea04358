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
