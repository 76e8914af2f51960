//! Remote access to the installer (`inst.sshd`, `[install] remote_ssh_keys`): the real
//! sshd (OpenSSH) with the installer's configuration, on 127.0.0.1 and a port of the
//! test's, logged into with the real ssh client. Only the given keys log in (no password,
//! no other key); a login gets the progress of the installer running here (followed live
//! while it waits at the console for "yes" and then partitions an image) or the last
//! install's events; a command given to ssh runs.

mod common;

use std::io::Read;
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use common::tmux::Tmux;

/// The run directory: under target/ (sshd refuses keys under a world-writable /tmp).
fn run_dir() -> tempfile::TempDir {
    tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap()
}

fn keygen(dir: &Path, name: &str) -> PathBuf {
    let key = dir.join(name);
    let o = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", name, "-f"])
        .arg(&key)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", common::output_text(&o));
    key
}

fn public(key: &Path) -> String {
    std::fs::read_to_string(key.with_extension("pub"))
        .unwrap()
        .trim()
        .to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "nothing listens on {port}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// ssh as root to 127.0.0.1:`port` with `key`, no terminal, `extra` options, `command`.
fn ssh(port: u16, key: &Path, extra: &[&str], command: &[&str]) -> Command {
    let mut c = Command::new("ssh");
    c.args(["-T", "-p", &port.to_string(), "-i"])
        .arg(key)
        .args([
            "-o",
            "BatchMode=yes",
            "-o",
            "StrictHostKeyChecking=no",
            "-o",
            "UserKnownHostsFile=/dev/null",
            "-o",
            "IdentitiesOnly=yes",
            "-o",
            "ConnectTimeout=10",
        ])
        .args(extra)
        .arg("root@127.0.0.1")
        .args(command)
        .stdin(Stdio::null());
    c
}

/// A process killed on drop (`remote-access`, which becomes sshd), or an sshd that
/// detached itself, by its pid file.
enum Server {
    Child(Child),
    PidFile(PathBuf),
}

impl Drop for Server {
    fn drop(&mut self) {
        match self {
            Server::Child(c) => {
                let _ = c.kill();
                let _ = c.wait();
            }
            Server::PidFile(p) => {
                if let Ok(pid) = std::fs::read_to_string(p) {
                    let _ = Command::new("kill").arg(pid.trim()).status();
                }
            }
        }
    }
}

/// An answer that partitions `image` (then stops: `--stop-after partition`) from the
/// signed fixture repository; `extra` goes into `[install]`.
fn answer(dir: &Path, image: &Path, install: &str) -> PathBuf {
    let repo = common::fixture::FixtureRepo::base();
    let p = dir.join("answer.toml");
    std::fs::write(
        &p,
        format!(
            "version = 1\n[install]\n{install}\n[target]\npath = \"{}\"\nwipe = true\nfirmware = \"uefi\"\n\
             [storage]\nswap = \"none\"\n[[repos]]\nname = \"fixture\"\nurl = \"{}\"\ngpg_keys = [\"{}\"]\n",
            image.display(),
            repo.repo_url(),
            repo.key_url()
        ),
    )
    .unwrap();
    p
}

/// What an ssh run printed, both streams.
fn text(o: &Output) -> String {
    common::output_text(o)
}

#[test]
fn inst_sshd_lets_the_given_key_follow_an_install_waiting_at_the_console() {
    if !common::is_root() && common::skip_or_fail("sshd serves logins as root only") {
        return;
    }
    let run = run_dir();
    let keys = tempfile::tempdir().unwrap();
    let admin = keygen(keys.path(), "admin");
    let stranger = keygen(keys.path(), "stranger");
    // The fleet's authorized_keys file, with a line that is no key.
    let authorized = keys.path().join("fleet-admins");
    std::fs::write(
        &authorized,
        format!("# fleet admins\n{}\nnot-a-key\n", public(&admin)),
    )
    .unwrap();
    let cmdline = keys.path().join("cmdline");
    std::fs::write(
        &cmdline,
        format!(
            "console=ttyS0 inst.sshd inst.sshd.keys={}\n",
            authorized.display()
        ),
    )
    .unwrap();
    let port = free_port();
    let out = keys.path().join("remote-access.out");
    let server = Server::Child(
        Command::new(common::bin())
            .arg("--cmdline")
            .arg(&cmdline)
            .arg("remote-access")
            .env("AZL_RUN_DIR", run.path())
            .env("AZL_SSHD_LISTEN", format!("127.0.0.1:{port}"))
            .stdout(std::fs::File::create(&out).unwrap())
            .stderr(std::fs::File::create(keys.path().join("remote-access.err")).unwrap())
            .spawn()
            .unwrap(),
    );
    wait_for_port(port);
    // The console says where to connect and by which host key.
    let said = std::fs::read_to_string(&out).unwrap();
    assert!(
        said.contains("SSH access to the installer (1 key(s) may log in as root):")
            && said.contains(&format!("ssh -p {port} root@"))
            && said.contains("host key SHA256:"),
        "{said}"
    );
    let err = std::fs::read_to_string(keys.path().join("remote-access.err")).unwrap();
    assert!(err.contains("line 3: not an SSH public key"), "{err}");

    // Only the given key: another key and passwords are refused.
    let o = ssh(port, &stranger, &[], &[]).output().unwrap();
    assert_eq!(o.status.code(), Some(255), "{}", text(&o));
    assert!(
        text(&o).contains("Permission denied (publickey)"),
        "{}",
        text(&o)
    );
    let o = ssh(
        port,
        &admin,
        &[
            "-o",
            "PubkeyAuthentication=no",
            "-o",
            "PreferredAuthentications=password,keyboard-interactive",
        ],
        &[],
    )
    .output()
    .unwrap();
    assert!(
        text(&o).contains("Permission denied (publickey)"),
        "{}",
        text(&o)
    );
    // A command given to ssh runs (a look at the logs, scp).
    let o = ssh(port, &admin, &[], &["echo", "remote-$((6*7))"])
        .output()
        .unwrap();
    assert!(text(&o).contains("remote-42"), "{}", text(&o));

    // The installer at the console, waiting for "yes" before it erases the image.
    let img = common::Image::sparse(12 << 30);
    let answer = answer(img.dir.path(), &img.path, "");
    let tmux = Tmux::start(
        img.dir.path().join("tmux.sock"),
        &format!(
            "AZL_RUN_DIR={} {} install {} --stop-after partition; sleep 600",
            run.path().display(),
            common::bin().display(),
            answer.display()
        ),
    );
    tmux.wait_for(&["Type \"yes\" to continue"], Duration::from_secs(120));
    // The admin logs in and follows it; the console then says yes.
    let mut follower = ssh(port, &admin, &[], &[])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = follower.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = stdout.read_to_string(&mut s);
        s
    });
    std::thread::sleep(Duration::from_secs(3));
    assert!(
        follower.try_wait().unwrap().is_none(),
        "the login ended while the install waited"
    );
    tmux.type_text("yes");
    tmux.keys(&["Enter"]);
    let deadline = Instant::now() + Duration::from_secs(120);
    while follower.try_wait().unwrap().is_none() {
        assert!(
            Instant::now() < deadline,
            "the login did not end with the install"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    let mut seen = reader.join().unwrap();
    follower
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut seen)
        .unwrap();
    assert!(
        seen.contains("Following the installer running here (pid")
            && seen.contains("==> Partitioning")
            && seen.contains("The install finished (exit 0)."),
        "{seen}"
    );
    drop(server);
}

#[test]
fn the_answers_remote_ssh_keys_start_sshd_and_a_login_shows_the_last_install() {
    if !common::is_root() && common::skip_or_fail("sshd serves logins as root only") {
        return;
    }
    let run = run_dir();
    let keys = tempfile::tempdir().unwrap();
    let admin = keygen(keys.path(), "admin");
    let port = free_port();
    let img = common::Image::sparse(12 << 30);
    let answer = answer(
        img.dir.path(),
        &img.path,
        &format!(
            "confirm = false\nremote_ssh_keys = [\"{}\"]",
            public(&admin)
        ),
    );
    let o = Command::new(common::bin())
        .args(["install", "--stop-after", "partition"])
        .arg(&answer)
        .env("AZL_RUN_DIR", run.path())
        .env("AZL_SSHD_LISTEN", format!("127.0.0.1:{port}"))
        .output()
        .unwrap();
    // sshd detached itself and outlives the installer.
    let _server = Server::PidFile(run.path().join("sshd/sshd.pid"));
    let said = text(&o);
    assert!(o.status.success(), "{said}");
    assert!(
        said.contains("SSH access to the installer (1 key(s) may log in as root):")
            && said.contains(&format!("ssh -p {port} root@")),
        "{said}"
    );
    wait_for_port(port);
    let o = ssh(port, &admin, &[], &[]).output().unwrap();
    let seen = text(&o);
    assert!(o.status.success(), "{seen}");
    assert!(
        seen.contains("No installer runs here now; the last one's events:")
            && seen.contains("==> Partitioning")
            && seen.contains("The install finished (exit 0)."),
        "{seen}"
    );
}
