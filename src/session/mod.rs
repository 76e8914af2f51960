//! What both front doors share: where the answer comes from, the run's log files, the
//! machine as the installer sees it, the plan for it (made here, or read back and checked
//! again), how the engine runs, and how a run ends (`Failure`, mapped to the exit codes).

mod compose;
mod kernel_args;
pub mod kickstart;
mod logs;
mod placeholders;
mod source;

pub use compose::{branch_problems, composed, machine_facts, machine_id};
pub use kernel_args::{KernelArgs, split as split_cmdline};
pub use logs::{LogFiles, RUN_DIR, init as init_logging, run_dir_path};
pub use placeholders::PlaceholderError;
pub use source::{MEDIA_ROOT, Source, SourceError, parse as parse_source};

use std::path::Path;

use anyhow::{Context, anyhow};

use crate::answer::{self, Answer};
use crate::engine;
use crate::events::{Exit, Step};
use crate::plan::{self, Plan, Refused};
use crate::probe::{self, Hardware, Roots};

/// Why a command failed, mapped to the exit codes of DESIGN.md.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("{0:#}")]
    BadInput(anyhow::Error),
    #[error("{0}")]
    Refused(Refused),
    #[error("{0:#}")]
    Destructive(anyhow::Error),
    #[error("{0:#}")]
    AfterPayload(anyhow::Error),
    #[error("interrupted")]
    Interrupted,
}

impl Failure {
    /// The failure for a run that ended with `exit`, said by `message`.
    pub fn ending(exit: Exit, message: anyhow::Error) -> Failure {
        match exit {
            Exit::Interrupted => Failure::Interrupted,
            Exit::Refused => Failure::Refused(Refused {
                problems: vec![answer::Issue::new("install", message.to_string())],
            }),
            Exit::BadInput => Failure::BadInput(message),
            Exit::AfterPayload => Failure::AfterPayload(message),
            Exit::Done | Exit::Destructive => Failure::Destructive(message),
        }
    }

    pub fn exit(&self) -> Exit {
        match self {
            Failure::BadInput(_) => Exit::BadInput,
            Failure::Refused(_) => Exit::Refused,
            Failure::Destructive(_) => Exit::Destructive,
            Failure::AfterPayload(_) => Exit::AfterPayload,
            Failure::Interrupted => Exit::Interrupted,
        }
    }
}

/// The text at a location written as `inst.answer=` takes one (a path, file:/path,
/// media:/path or an http(s) URL), read as an answer file is (at most 1 MiB of UTF-8).
pub fn read_location(text: &str) -> Result<String, String> {
    match source::parse(text).map_err(|_| {
        format!("{text:?}: expected a path, file:/path, http(s)://URL or media:/path")
    })? {
        Source::Url(url, headers) => compose::read_text(&url, &headers),
        Source::Path(p) => answer::read_text(&p).map_err(|e| e.to_string()),
        Source::Kickstart(_) => Err(format!("{text:?}: not a file")),
    }
}

/// Where the answer comes from: the argument, or `inst.answer=` on the kernel command
/// line. An `inst.proxy=` there is the proxy the answer is fetched through; placeholders
/// in the location are filled from this machine's identity, and `inst.sendmac`/
/// `inst.sendsn` (or kickstart's `inst.ks.*` spelling) add the identifying headers to its
/// request.
pub fn locate(arg: Option<&str>, kernel: &KernelArgs) -> Result<Source, Failure> {
    let source = locate_text(arg, kernel)?;
    // A kickstart's location is filled and sent for as an answer's is.
    let (source, kickstart) = match source {
        Source::Kickstart(inner) => (*inner, true),
        other => (other, false),
    };
    let wrap = |s: Source| {
        if kickstart {
            Source::Kickstart(Box::new(s))
        } else {
            s
        }
    };
    let sendmac = kernel.has(&["inst.sendmac", "inst.ks.sendmac"]);
    let sendsn = kernel.has(&["inst.sendsn", "inst.ks.sendsn"]);
    let templated = matches!(&source, Source::Url(u, _) if u.contains('{'))
        || matches!(&source, Source::Path(p) if p.to_string_lossy().contains('{'));
    if !(templated || sendmac || sendsn) {
        return Ok(wrap(source));
    }
    let id = probe::identity(&Roots::host(), kernel.bootif());
    let filled = |t: &str| placeholders::fill(t, &id).map_err(|e| Failure::BadInput(e.into()));
    Ok(wrap(match source {
        Source::Url(u, _) => Source::Url(filled(&u)?, placeholders::headers(&id, sendmac, sendsn)),
        Source::Path(p) if templated => Source::Path(filled(&p.to_string_lossy())?.into()),
        other => other,
    }))
}

fn locate_text(arg: Option<&str>, kernel: &KernelArgs) -> Result<Source, Failure> {
    if let Some(proxy) = kernel.proxy() {
        crate::repo::use_proxy(proxy, &[]);
    }
    let text = match arg {
        Some(a) => a,
        None => {
            kernel.require()?;
            // The network the answer may be fetched over: its arguments' problems first
            // (azl-installer-network.service failed on them at boot).
            if let Err(errors) = answer::network_from_boot_args(kernel.words()) {
                let all: Vec<String> = errors.iter().map(ToString::to_string).collect();
                return Err(Failure::BadInput(anyhow!("{}", all.join("\n"))));
            }
            // inst.answer= wins; without it, a kickstart (inst.ks=) is imported.
            if let Some(answer) = kernel.answer() {
                answer
            } else if let Some(ks) = kernel.kickstart() {
                let inner = parse_source(ks)
                    .map_err(|e| Failure::BadInput(anyhow!("inst.ks={ks:?}: {e}")))?;
                return Ok(Source::Kickstart(Box::new(inner)));
            } else {
                return Err(Failure::BadInput(
                    SourceError::Missing(kernel.path().display().to_string()).into(),
                ));
            }
        }
    };
    parse_source(text).map_err(|e| Failure::BadInput(e.into()))
}

/// Reads and checks an answer file; every problem in it is reported at once. Its proxy is
/// the one the installer's downloads go through from then on.
pub fn load(source: &Source) -> Result<Answer, Failure> {
    let answer = load_answer(source)?;
    if let Some(p) = &answer.network.proxy {
        crate::repo::use_proxy(&p.url, &p.no_proxy);
    }
    Ok(answer)
}

fn load_answer(source: &Source) -> Result<Answer, Failure> {
    if let Some(root) = compose::composes(source) {
        return load_composed(source, &root);
    }
    match source {
        Source::Kickstart(_) => kickstart::load(source),
        // The error's text names its cause already: one line, not the chain again.
        Source::Path(p) => answer::load_file(p).map_err(|e| Failure::BadInput(anyhow!("{e}"))),
        Source::Url(u, headers) => {
            let shown = answer::redact_url(u).into_owned();
            let text = compose::read_text(u, headers)
                .map_err(|e| Failure::BadInput(anyhow!("fetching the answer file: {e}")))?;
            if answer::is_composed(&text) {
                return load_composed(source, &text);
            }
            answer::load_str(&text).map_err(|issues| {
                let report = answer::Report {
                    file: shown,
                    issues,
                };
                Failure::BadInput(answer::LoadError::Invalid { report }.into())
            })
        }
    }
}

/// An answer with includes or `[[machine]]` sections, composed for this machine; which
/// section applied is said on stderr.
fn load_composed(source: &Source, root: &str) -> Result<Answer, Failure> {
    let facts = compose::machine_facts();
    let c = compose::composed(source, Some(root), Some(&facts))?;
    if let Some(m) = &c.machine {
        eprintln!("answer: [[machine]] {m} applies to this machine");
        tracing::info!("answer: [[machine]] {m} applies to this machine");
    }
    c.load().map_err(compose::bad)
}

/// The machine as the installer sees it, plus the answer's target paths when they are
/// image files or links the probe does not list.
fn hardware_for(answer: &Answer) -> Result<Hardware, Failure> {
    let t = &answer.target;
    let paths: Vec<&str> = t
        .path
        .iter()
        .chain(t.paths.iter().flatten())
        .map(String::as_str)
        .collect();
    machine(&paths)
}

/// The machine, with the `targets` (paths) made findable.
pub fn machine(targets: &[&str]) -> Result<Hardware, Failure> {
    let mut hw = probe::probe(&Roots::host()).map_err(|e| {
        let p = answer::Issue::new("hardware", format!("probing the hardware: {e}"));
        Failure::Refused(Refused { problems: vec![p] })
    })?;
    for path in targets {
        add_target(&mut hw, path)?;
    }
    Ok(hw)
}

/// Reads a plan written by `plan --json`, with the answer it was made from (its
/// `saved_answer`: the confirmation and the webhook are the answer's).
pub fn read_plan(path: &Path) -> Result<(Answer, Plan), Failure> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the plan {shown}"))
        .map_err(Failure::BadInput)?;
    let plan = plan::from_json(&text)
        .with_context(|| format!("the plan {shown}"))
        .map_err(Failure::BadInput)?;
    let answer: Answer = toml::from_str(&plan.system.saved_answer)
        .with_context(|| format!("the plan {shown}: its saved_answer"))
        .map_err(Failure::BadInput)?;
    if let Some(p) = &answer.network.proxy {
        crate::repo::use_proxy(&p.url, &p.no_proxy);
    }
    Ok((answer, plan))
}

/// A plan made earlier, checked against this machine as it is now (`plan::still_holds`).
pub fn recheck(plan: Plan) -> Result<Plan, Failure> {
    let paths: Vec<String> = plan
        .disks
        .iter()
        .map(|d| d.disk.path.to_string_lossy().into_owned())
        .collect();
    let hw = machine(&paths.iter().map(String::as_str).collect::<Vec<_>>())?;
    let problems = plan::still_holds(&plan, &hw);
    if problems.is_empty() {
        Ok(plan)
    } else {
        Err(Failure::Refused(Refused { problems }))
    }
}

/// Makes `target.path` findable by the plan: image files are described as disks, and other
/// /dev/disk/by-* links are recorded as names of the disk they point to.
pub fn add_target(hw: &mut Hardware, path: &str) -> Result<(), Failure> {
    let p = Path::new(path);
    let meta = match std::fs::metadata(p) {
        Ok(m) => m,
        // Missing paths are reported by the plan with the list of disks.
        Err(_) => return Ok(()),
    };
    if meta.is_file() {
        let disk = image_disk(p, hw)?;
        hw.disks.push(disk);
        return Ok(());
    }
    if let Ok(real) = std::fs::canonicalize(p)
        && let Some(d) = hw.disks.iter_mut().find(|d| d.path == real)
        && !d.answers_to(path)
    {
        d.by_id.push(p.to_owned());
    }
    Ok(())
}

/// A disk image file as a disk of `hw`: in use when one of its loop devices holds it.
pub fn image_disk(path: &Path, hw: &Hardware) -> Result<probe::Disk, Failure> {
    let mut disk = probe::image_disk(path)
        .with_context(|| format!("reading the disk image {}", path.display()))
        .map_err(Failure::BadInput)?;
    probe::mark_attached(&mut disk, &hw.disks);
    Ok(disk)
}

/// Loads, probes and resolves: the plan for this machine, or why not.
pub fn plan_for(source: &Source) -> Result<Plan, Failure> {
    plan_for_answer(load(source)?)
}

/// Probes and resolves a loaded answer.
pub fn plan_for_answer(answer: Answer) -> Result<Plan, Failure> {
    let answer = passphrase_from_file(answer)?;
    let hw = hardware_for(&answer)?;
    // The verified repository metadata. A repository that cannot be loaded or verified is a
    // preflight refusal (exit 3) tied to its [[repos]] entry; the disk and layout problems
    // are still reported with it, so that one run shows everything to fix.
    let loaded = match crate::repo::load(&plan::repo_sources(&answer)) {
        Ok(l) => l,
        Err(e) => {
            let key = if answer.repos.is_empty() {
                "repos".to_owned()
            } else {
                format!("repos[{}]", e.position)
            };
            let mut problems = vec![answer::Issue::new(key, e.to_string())];
            problems.extend(Plan::storage_problems(&answer, &hw));
            return Err(Failure::Refused(Refused { problems }));
        }
    };
    for w in &loaded.warnings {
        eprintln!("warning: {w}");
    }
    Plan::resolve(&answer, &hw, &loaded.index).map_err(Failure::Refused)
}

/// `storage.encryption.passphrase_file`, read: its first line becomes the passphrase the
/// plan carries in memory (never in the plan's data nor in the saved answer).
fn passphrase_from_file(mut answer: Answer) -> Result<Answer, Failure> {
    read_passphrase_file(&mut answer).map_err(|issue| {
        Failure::Refused(Refused {
            problems: vec![issue],
        })
    })?;
    Ok(answer)
}

/// Reads `storage.encryption.passphrase_file` into `storage.encryption.passphrase` (both
/// front doors: the plan needs the passphrase itself to make the containers). Nothing to do
/// when the answer names no file; the issue says why the file cannot be used.
pub fn read_passphrase_file(answer: &mut Answer) -> Result<(), answer::Issue> {
    let Some(e) = &mut answer.storage.encryption else {
        return Ok(());
    };
    let Some(file) = e.passphrase_file.clone() else {
        return Ok(());
    };
    let refuse = |message: String| {
        answer::Issue::new("storage.encryption.passphrase_file", message)
            .with_hint("the first line of the file is the passphrase, at least 8 characters")
    };
    let text = std::fs::read(&file).map_err(|err| refuse(format!("reading {file}: {err}")))?;
    let text = String::from_utf8(text).map_err(|_| refuse(format!("{file} is not UTF-8 text")))?;
    let line = text.lines().next().unwrap_or("").trim_end_matches('\r');
    let n = line.chars().count();
    if n < 8 {
        return Err(refuse(format!(
            "the passphrase in {file} is {n} characters long; at least 8 are needed"
        )));
    }
    e.passphrase = Some(line.to_string());
    Ok(())
}

/// How the engine runs for either front door: where it mounts, caches and keeps logs.
pub fn engine_options(
    stop_after: Option<Step>,
    logs: &LogFiles,
    sysimage: Option<&Path>,
) -> engine::RunOptions {
    let mut run = engine::RunOptions {
        stop_after,
        ..Default::default()
    };
    if let Some(root) = sysimage {
        run.root = root.to_owned();
    }
    if let Some(dir) = logs.dir.as_deref() {
        run.cache = dir.join("cache");
    }
    let keep = [
        (&logs.install_log, "install.log"),
        (&logs.events, "events.jsonl"),
    ];
    run.logs = keep
        .into_iter()
        .filter_map(|(p, name)| p.clone().map(|p| (p, name.to_string())))
        .collect();
    run
}

/// Writes what a read-only command prints to stdout. A reader that went away (`| head`)
/// is not an error worth a panic: the output is simply cut short.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}
