//! The installer's TUI in a tmux server of the test's own (80x24), driven with send-keys
//! and read with capture-pane, and what a run may leave behind.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmux server of our own running one session; its socket is in the test's temp dir (so
/// parallel tests never meet and nothing is left in /tmp/tmux-*). The server and everything
/// in it are killed on drop, pass or fail.
pub struct Tmux {
    socket: PathBuf,
    session: String,
}

impl Tmux {
    pub fn start(socket: PathBuf, command: &str) -> Tmux {
        let t = Tmux {
            socket,
            session: "installer".into(),
        };
        let out = t
            .cmd()
            .args([
                "new-session",
                "-d",
                "-s",
                &t.session,
                "-x",
                "80",
                "-y",
                "24",
            ])
            .arg(command)
            .output()
            .expect("running tmux");
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    }

    pub fn cmd(&self) -> Command {
        let mut c = Command::new("tmux");
        // A test run from inside tmux must not talk to the outer server.
        c.env_remove("TMUX").arg("-S").arg(&self.socket);
        c
    }

    /// Named keys ("Enter", "Tab", "Right", "Space").
    pub fn keys(&self, keys: &[&str]) {
        let st = self
            .cmd()
            .args(["send-keys", "-t", &self.session])
            .args(keys)
            .status()
            .expect("tmux send-keys");
        assert!(st.success(), "send-keys {keys:?}");
    }

    /// Literal text, typed as it is.
    pub fn type_text(&self, text: &str) {
        let st = self
            .cmd()
            .args(["send-keys", "-t", &self.session, "-l", text])
            .status()
            .expect("tmux send-keys");
        assert!(st.success(), "send-keys -l");
    }

    /// Waits for `path` to exist and returns what it holds; panics with the screen.
    pub fn wait_for_file(&self, path: &Path, timeout: Duration) -> String {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(s) = std::fs::read_to_string(path) {
                return s;
            }
            assert!(
                Instant::now() < deadline,
                "waited {timeout:?} for {}; the screen was:\n{}",
                path.display(),
                self.pane()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Resizes the window, as a terminal emulator or `stty cols` on a console would.
    pub fn resize(&self, cols: u16, rows: u16) {
        let st = self
            .cmd()
            .args(["resize-window", "-t", &self.session])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .status()
            .expect("tmux resize-window");
        assert!(st.success(), "resize-window {cols}x{rows}");
    }

    pub fn pane(&self) -> String {
        let out = self
            .cmd()
            .args(["capture-pane", "-p", "-t", &self.session])
            .output()
            .expect("tmux capture-pane");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Polls the pane until it shows every one of `needles` and has stopped changing (a
    /// capture can fall between the writes of one redraw); panics with the last pane.
    pub fn wait_for(&self, needles: &[&str], timeout: Duration) -> String {
        let start = Instant::now();
        let mut last = String::new();
        loop {
            let pane = self.pane();
            if pane == last && needles.iter().all(|n| pane.contains(n)) {
                return pane;
            }
            if start.elapsed() > timeout {
                panic!("waited {timeout:?} for {needles:?}; the screen was:\n{pane}");
            }
            last = pane;
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self
            .cmd()
            .arg("kill-server")
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// Whatever a failed run left behind: mounts below the sysimage and loop devices on the
/// image. Declared before the `Tmux`, so it runs after the installer was killed.
pub struct Leftovers {
    pub image: PathBuf,
    pub sysimage: PathBuf,
}

impl Drop for Leftovers {
    fn drop(&mut self) {
        // The installer gets SIGHUP with the tmux server: give it a moment to stop.
        std::thread::sleep(Duration::from_millis(300));
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap_or_default();
        let at = self.sysimage.to_string_lossy().into_owned();
        let mut points: Vec<&str> = mounts
            .lines()
            .filter_map(|l| l.split_whitespace().nth(1))
            .filter(|p| p.starts_with(&at))
            .collect();
        points.sort_by_key(|p| std::cmp::Reverse(p.len()));
        for p in points {
            let _ = Command::new("umount").args(["-l", p]).status();
        }
        let out = Command::new("losetup")
            .arg("-j")
            .arg(&self.image)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).into_owned())
            .unwrap_or_default();
        for dev in out.lines().filter_map(|l| l.split(':').next()) {
            let _ = Command::new("losetup").args(["-d", dev]).status();
        }
    }
}

/// `azl-installer tui` on a disk image in a tmux of its own, as the TUI tests run it: run
/// directory, log and sysimage in `dir`; the exit code is written to a file when it ends.
pub struct TuiRun {
    /// Dropped first: the server (and the installer in it) goes before `leftovers` looks.
    pub tmux: Tmux,
    leftovers: Leftovers,
    pub log: PathBuf,
    pub sysimage: PathBuf,
    status: PathBuf,
}

impl TuiRun {
    /// `args`: what follows `tui` besides `--disk-image`, `--sysimage` and `--log`.
    pub fn start(dir: &Path, image: &Path, args: &str) -> TuiRun {
        let (log, sysimage, status) = (
            dir.join("install.log"),
            dir.join("sysimage"),
            dir.join("status"),
        );
        let script = dir.join("run.sh");
        // The shell stays after the installer exits, so the pane can still be read.
        // The status file appears whole (renamed into place): `wait_exit` reads it as soon
        // as it exists, and a plain `>` would let it see an empty file.
        std::fs::write(
            &script,
            format!(
                "AZL_RUN_DIR={run} TERM=linux {bin} tui {args} --disk-image {img} \
                 --sysimage {sys} --log {log}\necho EXIT=$? > {status}.part\n\
                 mv {status}.part {status}\nsleep 600\n",
                run = dir.join("run").display(),
                bin = super::bin().display(),
                img = image.display(),
                sys = sysimage.display(),
                log = log.display(),
                status = status.display(),
            ),
        )
        .expect("writing the run script");
        let leftovers = Leftovers {
            image: image.to_owned(),
            sysimage: sysimage.clone(),
        };
        let tmux = Tmux::start(dir.join("tmux.sock"), &format!("sh {}", script.display()));
        TuiRun {
            tmux,
            leftovers,
            log,
            sysimage,
            status,
        }
    }

    /// True once the installer has exited.
    pub fn exited(&self) -> bool {
        self.status.exists()
    }

    /// Waits for the installer to exit; returns "EXIT=<code>".
    pub fn wait_exit(&self, timeout: Duration) -> String {
        self.tmux
            .wait_for_file(&self.status, timeout)
            .trim()
            .to_owned()
    }

    /// Stops tmux and hands back the clean-up guard, to keep while checking that the run
    /// itself left nothing behind.
    pub fn end(self) -> Leftovers {
        drop(self.tmux);
        self.leftovers
    }
}

/// A starting answer for the TUI: what it has no screen for (the fixture repository, UEFI on
/// this BIOS machine), the disk image as the target, then `extra` (more TOML tables).
pub fn start_answer(repo: &super::fixture::FixtureRepo, image: &Path, extra: &str) -> String {
    format!(
        r#"version = 1
[target]
path = "{img}"
wipe = true
firmware = "uefi"
[[repos]]
name = "fixture"
url = "{url}"
gpg_keys = ["{key}"]
{extra}"#,
        img = image.display(),
        url = repo.repo_url(),
        key = repo.key_url(),
    )
}
