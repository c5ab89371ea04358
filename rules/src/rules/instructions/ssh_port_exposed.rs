use super::ports::exposed;
use crate::{Context, Diagnostic, FixAvailability, Rule, RuleMeta, Severity, declare_rule};

declare_rule! {
    /// ## What it does
    /// Reports `EXPOSE 22` (TCP), the SSH port, also when given through a variable.
    ///
    /// ## Why is this bad?
    /// An SSH server in a container is one more service to patch, configure and protect
    /// with keys or passwords that end up in the image, and it runs beside the real
    /// program, usually as root. `docker exec` (or `kubectl exec`) opens a shell in a
    /// running container without one. Images that serve Git or SFTP over SSH on purpose
    /// can ignore this finding.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM debian:12
    /// RUN apt-get update && apt-get install -y --no-install-recommends openssh-server
    /// EXPOSE 22 8080
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM debian:12
    /// EXPOSE 8080
    /// ```
    /// and `docker exec -it <container> sh` to get a shell.
    ///
    /// ## References
    /// - [Dockerfile reference: EXPOSE](https://docs.docker.com/reference/dockerfile/#expose)
    /// - [docker exec](https://docs.docker.com/reference/cli/docker/container/exec/)
    pub struct SshPortExposed {
        code: "PL727",
        name: "ssh-port-exposed",
        alias: None,
        severity: Severity::Info,
        fix: FixAvailability::None,
        default_enabled: true,
        summary: "EXPOSE 22: an SSH server in the container",
    }
}

impl Rule for SshPortExposed {
    fn meta(&self) -> &'static RuleMeta {
        &Self::META
    }

    fn check(&self, ctx: &Context<'_>, out: &mut Vec<Diagnostic>) {
        let file = ctx.file;
        for instruction in &file.instructions {
            for port in exposed(file, instruction) {
                if port.number != 22 || port.in_range || port.protocol != "tcp" {
                    continue;
                }
                out.push(
                    Diagnostic::new(
                        &Self::META,
                        port.span,
                        "port 22 (SSH) is exposed: the container runs an SSH server beside its \
                         program",
                    )
                    .with_help(
                        "use `docker exec` (or `kubectl exec`) for a shell instead of SSH; \
                         ignore this if the image serves Git or SFTP over SSH on purpose",
                    ),
                );
            }
        }
    }
}
