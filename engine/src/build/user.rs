//! `USER` and `--chown` values → numeric IDs, read from the image's /etc/passwd and
//! /etc/group (never the host's).

use super::BuildError;
use crate::fs::View;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub uid: u32,
    pub gid: u32,
    /// Supplementary groups (from /etc/group).
    pub groups: Vec<u32>,
}

impl User {
    pub const ROOT: User = User {
        uid: 0,
        gid: 0,
        groups: Vec::new(),
    };
}

struct PasswdEntry {
    name: String,
    uid: u32,
    gid: u32,
}

struct GroupEntry {
    name: String,
    gid: u32,
    members: Vec<String>,
}

fn read(view: &View<'_>, path: &str) -> Result<String, BuildError> {
    Ok(view
        .read(path)
        .map_err(BuildError::io(path))?
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default())
}

fn passwd(view: &View<'_>) -> Result<Vec<PasswdEntry>, BuildError> {
    Ok(read(view, "/etc/passwd")?
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            Some(PasswdEntry {
                name: f.first()?.to_string(),
                uid: f.get(2)?.parse().ok()?,
                gid: f.get(3)?.parse().ok()?,
            })
        })
        .collect())
}

fn groups(view: &View<'_>) -> Result<Vec<GroupEntry>, BuildError> {
    Ok(read(view, "/etc/group")?
        .lines()
        .filter_map(|line| {
            let f: Vec<&str> = line.split(':').collect();
            Some(GroupEntry {
                name: f.first()?.to_string(),
                gid: f.get(2)?.parse().ok()?,
                members: f
                    .get(3)
                    .map(|m| {
                        m.split(',')
                            .filter(|s| !s.is_empty())
                            .map(str::to_string)
                            .collect()
                    })
                    .unwrap_or_default(),
            })
        })
        .collect())
}

fn find_group(groups: &[GroupEntry], spec: &str) -> Result<u32, BuildError> {
    if let Ok(gid) = spec.parse() {
        return Ok(gid);
    }
    groups
        .iter()
        .find(|g| g.name == spec)
        .map(|g| g.gid)
        .ok_or_else(|| {
            BuildError::Invalid(format!(
                "unable to find group {spec}: no matching entries in group file"
            ))
        })
}

/// Resolves `USER user[:group]` as the container runtime does: a name must exist in
/// /etc/passwd, a bare UID not in it gets GID 0; supplementary groups are those listing
/// the user in /etc/group.
pub fn resolve_user(view: &View<'_>, spec: &str) -> Result<User, BuildError> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    if user.is_empty() {
        return Ok(User::ROOT);
    }
    let entries = passwd(view)?;
    let entry = match user.parse::<u32>() {
        Ok(uid) => entries
            .into_iter()
            .find(|e| e.uid == uid)
            .or(Some(PasswdEntry {
                name: String::new(),
                uid,
                gid: 0,
            })),
        Err(_) => entries.into_iter().find(|e| e.name == user),
    }
    .ok_or_else(|| {
        BuildError::Invalid(format!(
            "unable to find user {user}: no matching entries in passwd file"
        ))
    })?;
    let all_groups = groups(view)?;
    let gid = match group {
        Some(g) => find_group(&all_groups, g)?,
        None => entry.gid,
    };
    let mut supplementary: Vec<u32> = if group.is_some() || entry.name.is_empty() {
        Vec::new()
    } else {
        all_groups
            .iter()
            .filter(|g| g.members.contains(&entry.name))
            .map(|g| g.gid)
            .collect()
    };
    supplementary.sort_unstable();
    supplementary.dedup();
    Ok(User {
        uid: entry.uid,
        gid,
        groups: supplementary,
    })
}

/// Resolves `--chown=user[:group]`: a user without a group gets the same number as GID
/// (Docker's documented rule); names come from the image.
pub fn resolve_chown(view: &View<'_>, spec: &str) -> Result<(u32, u32), BuildError> {
    let (user, group) = match spec.split_once(':') {
        Some((u, g)) => (u, Some(g)),
        None => (spec, None),
    };
    let uid = match user.parse::<u32>() {
        Ok(uid) => uid,
        Err(_) => passwd(view)?
            .into_iter()
            .find(|e| e.name == user)
            .map(|e| e.uid)
            .ok_or_else(|| {
                BuildError::Invalid(format!(
                    "unable to find user {user}: no matching entries in passwd file"
                ))
            })?,
    };
    let gid = match group {
        Some(g) => find_group(&groups(view)?, g)?,
        None => uid,
    };
    Ok((uid, gid))
}

/// The home directory of `uid` in the image's /etc/passwd; `/root` for root and `/`
/// otherwise when it has none. RUN gets it as HOME when the image sets no HOME, as Docker
/// does (`go build`, pip and npm need one).
pub fn home_of(view: &View<'_>, uid: u32) -> String {
    view.read("/etc/passwd")
        .ok()
        .flatten()
        .and_then(|bytes| {
            String::from_utf8_lossy(&bytes).lines().find_map(|line| {
                let fields: Vec<&str> = line.split(':').collect();
                (fields.get(2).and_then(|u| u.parse::<u32>().ok()) == Some(uid))
                    .then(|| fields.get(5).map(|h| h.to_string()))
                    .flatten()
                    .filter(|h| !h.is_empty())
            })
        })
        .unwrap_or_else(|| if uid == 0 { "/root" } else { "/" }.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syscall::test::RecordingSyscall;

    fn view_with(passwd: &str, group: &str) -> (tempfile::TempDir, RecordingSyscall) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("etc")).unwrap();
        std::fs::write(dir.path().join("etc/passwd"), passwd).unwrap();
        std::fs::write(dir.path().join("etc/group"), group).unwrap();
        (dir, RecordingSyscall::new())
    }

    #[test]
    fn home_comes_from_passwd() {
        let (dir, sys) = view_with(
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\nx:x:7:7:::\n",
            "",
        );
        let view = View::new(vec![dir.path().to_path_buf()], &sys);
        assert_eq!(home_of(&view, 1000), "/home/app");
        assert_eq!(home_of(&view, 0), "/root");
        assert_eq!(home_of(&view, 7), "/");
        assert_eq!(home_of(&view, 4242), "/");
    }

    #[test]
    fn resolves_users_and_groups_from_the_image() {
        let (dir, sys) = view_with(
            "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n",
            "root:x:0:\napp:x:1000:\nwheel:x:10:app,other\nstaff:x:50:\n",
        );
        let view = View::new(vec![dir.path().to_path_buf()], &sys);
        assert_eq!(
            resolve_user(&view, "app").unwrap(),
            User {
                uid: 1000,
                gid: 1000,
                groups: vec![10]
            }
        );
        assert_eq!(
            resolve_user(&view, "app:staff").unwrap(),
            User {
                uid: 1000,
                gid: 50,
                groups: vec![]
            }
        );
        assert_eq!(
            resolve_user(&view, "4242").unwrap(),
            User {
                uid: 4242,
                gid: 0,
                groups: vec![]
            }
        );
        let err = resolve_user(&view, "nobody").unwrap_err().to_string();
        assert!(err.contains("unable to find user nobody"), "{err}");
        assert!(resolve_user(&view, "app:nogroup").is_err());
        assert_eq!(resolve_chown(&view, "app").unwrap(), (1000, 1000));
        assert_eq!(resolve_chown(&view, "55").unwrap(), (55, 55));
        assert_eq!(resolve_chown(&view, "app:wheel").unwrap(), (1000, 10));
        assert_eq!(resolve_chown(&view, "1:2").unwrap(), (1, 2));
    }
}
