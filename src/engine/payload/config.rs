//! The installer's private dnf configuration: a `dnf.conf`, one `.repo` file per repository
//! in a directory of its own (the host's repositories are never seen), and an rpm macro
//! file fixing the rpmdb location; plus the `.repo` file written into the installed system.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::answer::Proxy;
use crate::plan::{Payload, RepoSource};

use super::PayloadError;

/// Where installed systems keep their repository keys (Fedora's place).
pub const TARGET_KEY_DIR: &str = "etc/pki/rpm-gpg";
pub const TARGET_REPO_DIR: &str = "etc/yum.repos.d";

/// Network tuning shared by install and prefetch: a dead or stalled server fails the
/// transaction within about a minute instead of hanging it (`minrate` bytes/s over
/// `timeout` seconds aborts a stalled transfer; connection errors are retried `retries` times).
const TIMEOUT_S: u32 = 30;
const RETRIES: u32 = 3;
const MINRATE: u32 = 1000;

/// A repository with its keys resolved to local files.
#[derive(Debug, Clone)]
pub struct ResolvedRepo {
    pub source: RepoSource,
    pub keys: Vec<PathBuf>,
}

/// Checks names, URLs and keys of every repository before anything runs.
pub fn resolve_repos(payload: &Payload) -> Result<Vec<ResolvedRepo>, PayloadError> {
    payload
        .repos
        .iter()
        .map(|r| {
            let id_ok = !r.name.is_empty()
                && r.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_.:".contains(c));
            if !id_ok {
                return Err(PayloadError::BadRepoName(r.name.clone()));
            }
            let creds = crate::answer::split_credentials(&r.url).1;
            let bad_creds = creds.is_some_and(|c| {
                let p = c.password.unwrap_or_default();
                c.user.chars().chain(p.chars()).any(char::is_control)
            });
            if r.url.trim().is_empty() || r.url.contains(['\n', '\r']) || bad_creds {
                return Err(PayloadError::BadRepoUrl {
                    repo: r.name.clone(),
                    url: crate::answer::redact_url(&r.url).into_owned(),
                });
            }
            let keys = r
                .gpg_keys
                .iter()
                .map(|k| key_path(&r.name, k))
                .collect::<Result<_, _>>()?;
            Ok(ResolvedRepo {
                source: r.clone(),
                keys,
            })
        })
        .collect()
}

/// A key URL as a local file. Only file:// for now: https:// keys need the repository
/// module's fetcher (with its TLS and timeouts), which does not exist yet.
fn key_path(repo: &str, url: &str) -> Result<PathBuf, PayloadError> {
    if let Some(p) = url.strip_prefix("file://") {
        let path = PathBuf::from(p);
        if !path.is_file() {
            return Err(PayloadError::KeyMissing {
                repo: repo.into(),
                path,
            });
        }
        return Ok(path);
    }
    if url.starts_with("https://") || url.starts_with("http://") {
        return Err(PayloadError::KeyNotYet {
            repo: repo.into(),
            url: url.into(),
        });
    }
    Err(PayloadError::BadKeyUrl {
        repo: repo.into(),
        url: url.into(),
    })
}

/// The private configuration directory; removed on drop.
pub struct PrivateConfig {
    pub dir: PathBuf,
}

impl PrivateConfig {
    /// Writes dnf.conf, repos.d/*.repo and home/.rpmmacros into a fresh directory.
    pub fn create(
        payload: &Payload,
        repos: &[ResolvedRepo],
        cache: &Path,
    ) -> Result<PrivateConfig, PayloadError> {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "azl-dnf-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let me = PrivateConfig { dir };
        let reposdir = me.reposdir();
        std::fs::create_dir_all(&reposdir).map_err(io("creating", &reposdir))?;
        // Repository passwords may be in it: root only.
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&me.dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io("restricting", &me.dir))?;
        }
        write(&me.conf(), &dnf_conf(payload, &me.reposdir(), cache))?;
        for r in repos {
            let keys: Vec<String> = r
                .keys
                .iter()
                .map(|k| format!("file://{}", k.display()))
                .collect();
            write(
                &me.reposdir().join(format!("{}.repo", r.source.name)),
                &repo_file(&r.source, &keys, payload.proxy.as_ref()),
            )?;
        }
        write(&me.home().join(".rpmmacros"), RPM_MACROS)?;
        Ok(me)
    }

    pub fn conf(&self) -> PathBuf {
        self.dir.join("dnf.conf")
    }

    pub fn reposdir(&self) -> PathBuf {
        self.dir.join("repos.d")
    }

    /// HOME for every rpm and dnf call: holds `.rpmmacros` (see RPM_MACROS).
    pub fn home(&self) -> PathBuf {
        self.dir.join("home")
    }
}

impl Drop for PrivateConfig {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Why a macro file through HOME: rpm reads `~/.rpmmacros` last, so it overrides Debian's
/// `%_dbpath ~/.rpmdb` (which would put the target's database at /root/.rpmdb) for exactly
/// the rpm and dnf processes the installer starts, without touching the host's /etc/rpm or
/// copying rpm's whole configuration (RPM_CONFIGDIR). On Fedora-based media rpm already
/// uses /var/lib/rpm, so the file changes nothing there. libsolv, which dnf uses to read
/// the installed packages, looks at /var/lib/rpm as well, so both agree.
pub const RPM_MACROS: &str = "%_dbpath /var/lib/rpm\n";

fn dnf_conf(payload: &Payload, reposdir: &Path, cache: &Path) -> String {
    format!(
        "# Written by azl-installer for this install only.\n\
         [main]\n\
         gpgcheck=1\n\
         repo_gpgcheck=1\n\
         reposdir={reposdir}\n\
         cachedir={cache}\n\
         keepcache=1\n\
         install_weak_deps={weak}\n\
         max_parallel_downloads=10\n\
         timeout={TIMEOUT_S}\n\
         retries={RETRIES}\n\
         minrate={MINRATE}\n\
         skip_if_unavailable=0\n\
         plugins=0\n\
         color=never\n",
        reposdir = reposdir.display(),
        cache = cache.display(),
        weak = if payload.weak_deps { 1 } else { 0 },
    )
}

/// The directory dnf (4 and 5 alike) keeps repository `r`'s package downloads in under
/// `cache`: `ID-HASH/packages`, HASH the first 16 hex digits of the SHA-256 of the baseurl
/// as `repo_file` writes it (tests/payload_network.rs checks both dnfs find them there).
pub fn dnf_packages_dir(cache: &Path, r: &RepoSource) -> PathBuf {
    use sha2::Digest;
    let (url, _) = crate::answer::split_credentials(&r.url);
    let hash = hex::encode(sha2::Sha256::digest(url.as_bytes()));
    cache
        .join(format!("{}-{}", r.name, &hash[..16]))
        .join("packages")
}

/// One `.repo` section; `gpg_check = false` turns off both package and metadata checks.
/// Credentials in the URL become `username=`/`password=`, so that dnf's messages, which
/// repeat the base URL, never show them.
pub fn repo_file(r: &RepoSource, key_urls: &[String], proxy: Option<&Proxy>) -> String {
    let check = if r.gpg_check { 1 } else { 0 };
    let (url, creds) = crate::answer::split_credentials(&r.url);
    let mut s = format!(
        "[{name}]\nname={name}\nbaseurl={url}\nenabled=1\ngpgcheck={check}\nrepo_gpgcheck={check}\n",
        name = r.name,
    );
    if let Some(c) = creds {
        s.push_str(&format!("username={}\n", c.user));
        if let Some(p) = c.password {
            s.push_str(&format!("password={p}\n"));
        }
    }
    // Per repository, so that one the proxy's no_proxy exempts (an internal mirror) is
    // reached directly: dnf has no no_proxy of its own.
    if let Some(p) = proxy.filter(|p| crate::answer::proxied(&r.url, &p.no_proxy)) {
        let (purl, pcreds) = crate::answer::split_credentials(&p.url);
        s.push_str(&format!("proxy={purl}\n"));
        if let Some(c) = pcreds {
            s.push_str(&format!("proxy_username={}\n", c.user));
            if let Some(pw) = c.password {
                s.push_str(&format!("proxy_password={pw}\n"));
            }
        }
    }
    if !key_urls.is_empty() {
        s.push_str(&format!("gpgkey={}\n", key_urls.join(" ")));
    }
    s
}

/// Copies the keys into the target's /etc/pki/rpm-gpg and writes /etc/yum.repos.d/NAME.repo
/// pointing at them, so the installed system can update itself.
pub fn write_target_repos(
    root: &Path,
    repos: &[ResolvedRepo],
    proxy: Option<&Proxy>,
) -> Result<(), PayloadError> {
    let key_dir = root.join(TARGET_KEY_DIR);
    for r in repos {
        let mut urls = Vec::new();
        for (i, k) in r.keys.iter().enumerate() {
            let name = if i == 0 {
                format!("RPM-GPG-KEY-{}", r.source.name)
            } else {
                format!("RPM-GPG-KEY-{}-{}", r.source.name, i + 1)
            };
            let data = std::fs::read(k).map_err(io("reading the key", k))?;
            write_bytes(&key_dir.join(&name), &data)?;
            urls.push(format!("file:///{TARGET_KEY_DIR}/{name}"));
        }
        let file = root
            .join(TARGET_REPO_DIR)
            .join(format!("{}.repo", r.source.name));
        let text = repo_file(&r.source, &urls, proxy);
        write(&file, &text)?;
        if has_credentials(&r.source) || text.contains("\nproxy_password=") {
            keep_private(&file)?;
        }
    }
    Ok(())
}

fn io<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(std::io::Error) -> PayloadError + 'a {
    move |source| PayloadError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

fn has_credentials(r: &RepoSource) -> bool {
    crate::answer::split_credentials(&r.url).1.is_some()
}

/// A file holding a repository password is for root only.
fn keep_private(path: &Path) -> Result<(), PayloadError> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600))
        .map_err(io("restricting", path))
}

fn write(path: &Path, text: &str) -> Result<(), PayloadError> {
    write_bytes(path, text.as_bytes())
}

fn write_bytes(path: &Path, data: &[u8]) -> Result<(), PayloadError> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io("creating", parent))?;
    }
    std::fs::write(path, data).map_err(io("writing", path))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(name: &str, check: bool) -> RepoSource {
        RepoSource {
            name: name.into(),
            url: "https://example.invalid/repo".into(),
            gpg_keys: vec![],
            gpg_check: check,
        }
    }

    #[test]
    fn repo_file_turns_both_checks_on_or_off() {
        let on = repo_file(&src("base", true), &["file:///k".into()], None);
        assert!(
            on.contains("gpgcheck=1\nrepo_gpgcheck=1\ngpgkey=file:///k\n"),
            "{on}"
        );
        let off = repo_file(&src("base", false), &[], None);
        assert!(off.contains("gpgcheck=0\nrepo_gpgcheck=0\n"), "{off}");
        assert!(!off.contains("gpgkey"));
    }

    #[test]
    fn credentials_go_to_their_own_keys_not_the_base_url() {
        let mut r = src("base", true);
        r.url = "https://deploy:p%40ss@mirror.example/azl/".into();
        let f = repo_file(&r, &[], None);
        assert!(f.contains("baseurl=https://mirror.example/azl/\n"), "{f}");
        assert!(f.contains("username=deploy\npassword=p@ss\n"), "{f}");
        r.url = "https://deploy:a%0Ab@mirror.example/azl/".into();
        let p = crate::plan::Payload {
            repos: vec![r],
            weak_deps: true,
            releasever: "4.0".into(),
            kernel: "kernel".into(),
            ..Default::default()
        };
        let e = resolve_repos(&p).unwrap_err().to_string();
        assert!(!e.contains("a%0Ab") && e.contains("***@"), "{e}");
    }

    #[test]
    fn bad_names_urls_and_keys_are_refused() {
        let mut p = crate::plan::Payload {
            repos: vec![src("a b", true)],
            weak_deps: true,
            releasever: "4.0".into(),
            kernel: "kernel".into(),
            ..Default::default()
        };
        assert!(matches!(
            resolve_repos(&p),
            Err(PayloadError::BadRepoName(_))
        ));
        p.repos[0] = src("ok", true);
        p.repos[0].gpg_keys = vec!["https://example.invalid/key".into()];
        let e = resolve_repos(&p).unwrap_err();
        assert!(e.to_string().contains("not supported yet"), "{e}");
        p.repos[0].gpg_keys = vec!["ftp://x/key".into()];
        assert!(matches!(
            resolve_repos(&p),
            Err(PayloadError::BadKeyUrl { .. })
        ));
        p.repos[0].url = "file:///x\n[evil]".into();
        p.repos[0].gpg_keys = vec![];
        assert!(matches!(
            resolve_repos(&p),
            Err(PayloadError::BadRepoUrl { .. })
        ));
    }
}
