//! Dropping privileges before the command runs: no_new_privs, the bounding set cut to
//! Docker's default capabilities, then the user's IDs, then (for root) exactly those
//! capabilities; any other user ends with none. A privileged sandbox (`RUN
//! --security=insecure`) keeps every capability the caller has and no no_new_privs.

use super::{Process, SandboxError};
use crate::syscall::{Syscall, default_capabilities};
use caps::{CapSet, CapsHashSet};

pub fn drop_privileges(
    process: &Process,
    privileged: bool,
    syscall: &dyn Syscall,
) -> Result<(), SandboxError> {
    let keep = if privileged {
        syscall.permitted_capabilities()?
    } else {
        syscall.set_no_new_privs()?;
        default_capabilities()
    };
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
        drop_privileges(&process(0), false, &sys).unwrap();
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
        drop_privileges(&process(1000), false, &sys).unwrap();
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

    #[test]
    fn privileged_keeps_every_capability_it_has() {
        let sys = RecordingSyscall::new();
        drop_privileges(&process(0), true, &sys).unwrap();
        let calls = sys.calls();
        assert!(!calls.contains(&Call::SetNoNewPrivs));
        let mut have: Vec<caps::Capability> =
            sys.permitted_capabilities().unwrap().into_iter().collect();
        have.sort_by_key(|c| c.index());
        assert!(calls.contains(&Call::RestrictBoundingSet(have.clone())));
        if let Some(Call::SetCapabilities { set, caps }) = calls.last() {
            let mut caps = caps.clone();
            caps.sort_by_key(|c| c.index());
            assert_eq!((set.as_str(), caps), ("Effective", have));
        } else {
            panic!("{calls:?}");
        }
    }
}
