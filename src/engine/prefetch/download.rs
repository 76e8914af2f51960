//! One package file from an http(s) repository into dnf's cache: streamed to a temporary
//! name while its digest is computed, given its final name only when size and checksum
//! match primary's. Whatever goes wrong, the temporary file is removed.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use crate::repo::{Digest, PackageFile};

/// Attempts per file; a file that still fails is left to the transaction.
const ATTEMPTS: u32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum DownloadError {
    #[error("cancelled")]
    Cancelled,
    #[error("checksum type {0:?} is not one the prefetch checks")]
    Unchecked(String),
    #[error("{0}")]
    Http(String),
    #[error("HTTP status {0}")]
    Status(u16),
    #[error("{got} bytes where primary says {want}")]
    Size { got: u64, want: u64 },
    #[error("{alg} checksum does not match primary's")]
    Checksum { alg: String },
    #[error("{what} {}: {source}", .path.display())]
    Io {
        what: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
}

/// A file to fetch: from where, to where, and what primary says it is.
pub struct Job {
    pub url: String,
    pub dest: PathBuf,
    pub file: PackageFile,
}

/// The installer's HTTP client, with timeouts for package downloads.
pub fn client() -> Result<reqwest::blocking::Client, String> {
    let c = crate::repo::http_client(Duration::from_secs(15), Duration::from_secs(30))
        .map_err(|e| e.to_string())?;
    Ok(c.client)
}

impl Job {
    pub fn fetch(
        &self,
        client: &reqwest::blocking::Client,
        cancel: &AtomicBool,
    ) -> Result<(), DownloadError> {
        let alg = self.file.checksum.0.as_str();
        if Digest::new(alg).is_none() {
            return Err(DownloadError::Unchecked(alg.to_owned()));
        }
        let dir = self.dest.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(io("creating", dir))?;
        let part = Part(super::part_path(&self.dest));
        let mut last = DownloadError::Cancelled;
        for _ in 0..ATTEMPTS {
            match self.once(client, cancel, &part.0) {
                Ok(()) => {
                    std::fs::rename(&part.0, &self.dest).map_err(io("renaming", &part.0))?;
                    return Ok(());
                }
                Err(e @ (DownloadError::Http(_) | DownloadError::Size { .. })) => last = e,
                Err(e) => return Err(e),
            }
        }
        Err(last)
    }

    fn once(
        &self,
        client: &reqwest::blocking::Client,
        cancel: &AtomicBool,
        part: &Path,
    ) -> Result<(), DownloadError> {
        let (alg, want) = (&self.file.checksum.0, &self.file.checksum.1);
        let mut resp = client
            .get(&self.url)
            .send()
            .map_err(|e| DownloadError::Http(e.without_url().to_string()))?;
        if !resp.status().is_success() {
            return Err(DownloadError::Status(resp.status().as_u16()));
        }
        let mut out = std::fs::File::create(part).map_err(io("creating", part))?;
        let mut digest = Digest::new(alg).ok_or_else(|| DownloadError::Unchecked(alg.clone()))?;
        let mut got = 0u64;
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            if cancel.load(Ordering::SeqCst) {
                return Err(DownloadError::Cancelled);
            }
            let n = match resp.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(DownloadError::Http(format!("reading the body: {e}"))),
            };
            got += n as u64;
            if got > self.file.size {
                return Err(DownloadError::Size {
                    got,
                    want: self.file.size,
                });
            }
            digest.update(&buf[..n]);
            out.write_all(&buf[..n]).map_err(io("writing", part))?;
        }
        if got != self.file.size {
            return Err(DownloadError::Size {
                got,
                want: self.file.size,
            });
        }
        if !digest.hex().eq_ignore_ascii_case(want) {
            return Err(DownloadError::Checksum { alg: alg.clone() });
        }
        out.sync_all().map_err(io("writing", part))?;
        Ok(())
    }
}

fn io(what: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> DownloadError {
    let path = path.to_owned();
    move |source| DownloadError::Io { what, path, source }
}

/// The temporary file, removed unless it was renamed into place.
struct Part(PathBuf);

impl Drop for Part {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
