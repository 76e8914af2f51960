//! The save-logs step: the install log, the event journal and the answer as installed (plain
//! passwords already replaced by their hashes) into /var/log/azl-installer/ on the target.

use std::io::Write;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::answer::{Answer, Password};

/// Where the logs go on the installed system.
pub const LOG_DIR: &str = "var/log/azl-installer";

#[derive(Debug, thiserror::Error)]
pub enum SaveLogsError {
    #[error("{what} {path}: {source}")]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the answer still holds a plain password; refusing to save it")]
    PlainPassword,
    #[error("the plan's saved answer is not an answer file: {0}")]
    NotAnAnswer(String),
}

/// Copies `files` ((source, name)) and writes `answer.toml` (the plan's `saved_answer`),
/// all 0600 in a 0700 directory.
pub fn save(
    root: &Path,
    answer_toml: &str,
    files: &[(PathBuf, String)],
) -> Result<(), SaveLogsError> {
    let dir = root.join(LOG_DIR);
    let io = |what, path: &Path| {
        let path = path.to_owned();
        move |source| SaveLogsError::Io { what, path, source }
    };
    make_private_dir(&dir).map_err(io("creating", &dir))?;
    for (src, name) in files {
        let bytes = std::fs::read(src).map_err(io("reading", src))?;
        write_private(&dir.join(name), &bytes).map_err(io("writing", &dir.join(name)))?;
    }
    // Belt and braces: the plan hashed every plain password, but a plan can be read back
    // from a file.
    let answer: Answer =
        toml::from_str(answer_toml).map_err(|e| SaveLogsError::NotAnAnswer(e.to_string()))?;
    let plain = |p: &Password| matches!(p, Password::Plain { .. });
    if plain(&answer.root.password) || answer.users.iter().any(|u| plain(&u.password)) {
        return Err(SaveLogsError::PlainPassword);
    }
    let text = format!(
        "# The answer file this system was installed with (azl-installer).\n\
         # Plain passwords were replaced by their hashes.\n{answer_toml}"
    );
    let path = dir.join("answer.toml");
    write_private(&path, text.as_bytes()).map_err(io("writing", &path))
}

/// Makes `dir` (and its parents) and leaves it to its owner only, also when it existed
/// with a wider mode.
pub fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
}

/// Writes a file only its owner may read (an answer, a connection profile: passwords,
/// hashes, keys), also when it existed with a wider mode.
pub fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(bytes)?;
    // The mode of an existing file is not changed by open(): set it.
    f.set_permissions(std::fs::Permissions::from_mode(0o600))
}
