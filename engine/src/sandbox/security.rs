//! Dropping privileges before the command runs: no_new_privs, the bounding set cut to
//! Docker's default capabilities, then the user's IDs, then (for root) exactly those
//! capabilities; any other user ends with none.

use super::{Process, SandboxError};
use crate::syscall::{Syscall, default_capabilities};
use caps::{CapSet, CapsHashSet};

pub fn drop_privileges(process: &Process, syscall: &dyn Syscall) -> Result<(), SandboxError> {
    let keep = default_capabilities();
    syscall.set_no_new_privs()?;
    syscall.restrict_bounding_set(&keep)?;
    syscall.set_capabilities(CapSet::Ambient, &CapsHashSet::new())?;
    syscall.set_ids(process.uid, process.gid, &process.groups)?;
    // Changing IDs clears the parent-death signal; the command must still die with us.
    syscall.set_parent_death_signal(nix::sys::signal::Signal::SIGKILL)?;
    if process.uid == 0 {
        syscall.set_capabilities(CapSet::Inheritable, &keep)?;
        syscall.set_capabilities(CapSet::Effective, &CapsHashSet::new())?;
        syscall.set_capabilities(CapSet::Permitted, &keep)?;
        syscall.set_capabilities(CapSet::Effective, &keep)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::{Call, RecordingSyscall};

    fn process(uid: u32) -> Process {
        Process {
            args: vec!["true".into()],
            env: vec![],
            cwd: "/".into(),
            uid,
            gid: uid,
            groups: vec![10],
        }
    }

    #[test]
    fn root_keeps_dockers_default_set() {
        let sys = RecordingSyscall::new();
        drop_privileges(&process(0), &sys).unwrap();
        let calls = sys.calls();
        assert_eq!(calls[0], Call::SetNoNewPrivs);
        match &calls[1] {
            Call::RestrictBoundingSet(kept) => {
                assert_eq!(kept.len(), 14);
                assert!(!kept.contains(&caps::Capability::CAP_SYS_ADMIN));
                assert!(kept.contains(&caps::Capability::CAP_CHOWN));
            }
            other => panic!("{other:?}"),
        }
        assert!(calls.contains(&Call::SetIds {
            uid: 0,
            gid: 0,
            groups: vec![10]
        }));
        assert!(
            matches!(calls.last(), Some(Call::SetCapabilities { set, caps }) if set == "Effective" && caps.len() == 14)
        );
    }

    #[test]
    fn other_users_get_no_capabilities() {
        let sys = RecordingSyscall::new();
        drop_privileges(&process(1000), &sys).unwrap();
        let calls = sys.calls();
        assert!(matches!(
            calls[calls.len() - 2],
            Call::SetIds { uid: 1000, .. }
        ));
        assert!(
            !calls
                .iter()
                .any(|c| matches!(c, Call::SetCapabilities { set, .. } if set == "Effective"))
        );
    }
}
