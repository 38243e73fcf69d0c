//! The spool's directory and files belong to this service alone: the
//! directory is created with mode 0700, and neither it nor a file in it is
//! used when it is a symbolic link. A link planted there (by another local
//! account, or left by a mistake) can then neither send the spool's writes
//! into another file nor expose another file's bytes as events.

use std::{
    fs::{DirBuilder, File, OpenOptions, Permissions},
    io,
    os::unix::fs::{DirBuilderExt as _, OpenOptionsExt as _, PermissionsExt as _},
    path::Path,
};

use anyhow::Context as _;

/// Creates `dir` (and missing parents) with mode 0700, or takes the
/// existing one back to 0700; refuses a link or a file in its place.
pub fn private_dir(dir: &Path) -> anyhow::Result<()> {
    DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
        .with_context(|| format!("creating the spool directory {}", dir.display()))?;
    let metadata = std::fs::symlink_metadata(dir)
        .with_context(|| format!("reading the spool directory {}", dir.display()))?;
    if metadata.file_type().is_symlink() {
        anyhow::bail!(
            "the spool directory {} is a symbolic link; refusing to follow it (use the real path)",
            dir.display()
        );
    }
    if !metadata.is_dir() {
        anyhow::bail!("the spool directory {} is not a directory", dir.display());
    }
    if metadata.permissions().mode() & 0o777 != 0o700 {
        std::fs::set_permissions(dir, Permissions::from_mode(0o700))
            .with_context(|| format!("making the spool directory {} private (0700)", dir.display()))?;
    }
    Ok(())
}

/// Opens (creating it when missing, mode 0600) a file for reading and
/// writing without following a symbolic link at `path`.
pub fn open_no_follow(path: &Path) -> anyhow::Result<File> {
    OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .mode(0o600)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)
        .map_err(|error| match error.raw_os_error() {
            Some(libc::ELOOP) => anyhow::anyhow!(
                "{} is a symbolic link; the spool does not follow links (remove it)",
                path.display()
            ),
            _ => anyhow::Error::new(error).context(format!("opening {}", path.display())),
        })
}

/// Replaces the whole content of an open file (the spool's position).
pub fn rewrite(file: &File, bytes: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::FileExt as _;
    file.set_len(0)?;
    file.write_all_at(bytes, 0)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::symlink;

    use super::*;

    fn temp_dir() -> std::path::PathBuf {
        std::env::temp_dir().join(format!("tonearm-private-test-{}", uuid::Uuid::new_v4()))
    }

    #[test]
    fn the_directory_is_created_private_and_made_private_again() {
        let dir = temp_dir().join("nested");
        private_dir(&dir).expect("created");
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::set_permissions(&dir, Permissions::from_mode(0o755)).expect("opened up");
        private_dir(&dir).expect("again");
        let mode = std::fs::metadata(&dir).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
        std::fs::remove_dir_all(dir.parent().expect("parent")).expect("cleanup");
    }

    #[test]
    fn a_directory_link_is_refused() {
        let base = temp_dir();
        let real = base.join("real");
        std::fs::create_dir_all(&real).expect("real dir");
        let link = base.join("link");
        symlink(&real, &link).expect("link");
        let error = private_dir(&link).expect_err("refused");
        assert!(error.to_string().contains("symbolic link"), "{error}");
        std::fs::remove_dir_all(base).expect("cleanup");
    }

    #[test]
    fn a_dangling_link_is_not_created_through() {
        let base = temp_dir();
        std::fs::create_dir_all(&base).expect("dir");
        let target = base.join("elsewhere");
        let link = base.join("file");
        symlink(&target, &link).expect("link");
        let error = open_no_follow(&link).expect_err("refused");
        assert!(error.to_string().contains("symbolic link"), "{error}");
        assert!(!target.exists(), "the link's target was not created");
        std::fs::remove_dir_all(base).expect("cleanup");
    }
}
