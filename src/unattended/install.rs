//! `install`: the whole unattended install, and the one event every run ends with, so a
//! deployment server (`--progress json`, the webhook) always hears how it ended: refused,
//! failed, interrupted or done.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::anyhow;

use crate::answer::Finish;
use crate::engine;
use crate::events::{Console, Exit, Fanout, JournalFile, JsonLines, SharedSink, Sink, Step, Watch};
use crate::plan;

use super::{Options, confirm};
use crate::session::{Failure, Source, engine_options, load, plan_for_answer, read_plan, recheck};

/// A successful run: what to do now, and what to tell the admin.
struct Done {
    action: Finish,
    disk: String,
}

/// What `install` installs.
pub enum Input {
    /// An answer file, planned on this machine now.
    Answer(Source),
    /// A plan made earlier by `plan --json`, checked again before anything is written.
    Plan(PathBuf),
}

/// `install`: loads, plans, confirms and runs; every outcome ends the event stream with
/// `Ended`, which the webhook gets before the process exits. `input` is Err when the
/// answer could not even be located (a bad placeholder in `inst.answer=`, none given):
/// the kernel command line's webhook hears of that too.
pub fn install(input: Result<Input, Failure>, opts: &Options) -> Result<(), Failure> {
    let started = std::time::Instant::now();
    let (answer, plan) = match input {
        Err(f) => (Err(f), None),
        Ok(Input::Answer(source)) => (load(&source), None),
        Ok(Input::Plan(path)) => match read_plan(&path) {
            Ok((a, p)) => (Ok(a), Some(p)),
            Err(e) => (Err(e), None),
        },
    };
    // The answer's webhook, else the kernel command line's (`inst.webhook=`): that one
    // hears even of an answer that could not be loaded.
    let (reporting, names) = match answer.as_ref() {
        Ok(a) if a.reporting.webhook.is_some() => (&a.reporting, engine::ANSWER_KEYS),
        _ => (&opts.webhook, engine::CMDLINE_KEYS),
    };
    // A certificate, key or CA that cannot be read refuses the install (exit 2) before
    // anything is written: the admin asked for authenticated reporting.
    let (webhook, answer) = match engine::start_webhook(reporting, names) {
        Ok(w) => (w, answer),
        Err(e) => {
            // The kernel command line's webhook, if any, still hears of it.
            let fallback = (names == engine::ANSWER_KEYS)
                .then(|| engine::start_webhook(&opts.webhook, engine::CMDLINE_KEYS).ok())
                .flatten()
                .flatten();
            let refused = answer.and_then(|_| Err(Failure::BadInput(anyhow!("{e}"))));
            (fallback, refused)
        }
    };
    let watch = Arc::new(Watch::default());
    // The final report (in `ended`) names the machine, for a fleet's server.
    watch.set_machine(crate::session::machine_id(opts.bootif.as_deref()));
    let mut sinks: Vec<Box<dyn Sink>> = vec![
        if opts.json {
            Box::new(JsonLines)
        } else {
            Box::new(Console::new())
        },
        Box::new(SharedSink(watch.clone())),
    ];
    if let Some(j) = opts
        .logs
        .events
        .as_deref()
        .and_then(|p| JournalFile::create(p).ok())
    {
        sinks.push(Box::new(j));
    }
    if let Some(w) = &webhook {
        sinks.push(Box::new(SharedSink(w.clone())));
    }
    let sink: Arc<dyn Sink> = Arc::new(Fanout::new(sinks));

    let result = answer.and_then(|a| run(a, plan, opts, sink.clone(), &watch));
    let ended = match &result {
        Ok(_) => watch.ended(Exit::Done, None, None),
        Err(f) => watch.ended(
            f.exit(),
            Some(f.to_string()),
            matches!(f, Failure::Refused(_)).then_some(Step::Preflight),
        ),
    };
    sink.send(&ended);
    // Whatever happened, the deployment server hears all of it before we exit.
    if let Some(w) = &webhook {
        w.finish();
    }
    let Some(done) = result? else {
        return Ok(());
    };
    if !opts.json {
        eprintln!(
            "\nInstalled onto {} in {} s. Logs: /var/log/azl-installer/ on the new system.",
            done.disk,
            started.elapsed().as_secs()
        );
    }
    engine::finish(done.action).map_err(|e| Failure::AfterPayload(e.into()))
}

/// Plans, confirms and runs the engine. None when the run stopped early on purpose.
fn run(
    answer: crate::answer::Answer,
    plan: Option<plan::Plan>,
    opts: &Options,
    sink: Arc<dyn Sink>,
    watch: &Watch,
) -> Result<Option<Done>, Failure> {
    let confirm_first = answer.install.confirm && !opts.yes;
    // The live system's network first when the answer's repositories or webhook are remote
    // (the answer's own [network], unless the live system has a route already).
    let connections = match &plan {
        Some(p) => p.network.clone(),
        None => plan::connections(&answer).unwrap_or_default(),
    };
    super::network::bring_up_if_needed(&answer, &connections, sink.as_ref())?;
    super::network::sync_clock_if_asked(&answer, sink.as_ref())?;
    super::remote::allow_from_answer(&answer, sink.as_ref())?;
    let plan = match plan {
        Some(p) => recheck(p)?,
        None => plan_for_answer(answer)?,
    };
    watch.set_plan(format!(
        "{}; {} package files ({})",
        plan.describe_disks(),
        plan.payload.files.len(),
        crate::answer::human_bytes(plan.payload.download_bytes)
    ));
    if !opts.json {
        eprint!("{}", plan::render(&plan));
    }
    if opts.stop_after == Some(Step::Preflight) {
        return Ok(None);
    }
    if confirm_first {
        confirm(&plan)?;
    }
    let run = engine_options(opts.stop_after, &opts.logs, opts.sysimage.as_deref());
    engine::handle_interrupts();
    engine::run(&plan, sink, &run).map_err(|e| {
        let log = match &opts.logs.install_log {
            Some(p) => format!(" (log: {})", p.display()),
            None => String::new(),
        };
        // Every error's text already names its causes: one line, no repeated chain.
        let message = anyhow!("{e}{log}");
        // A refusal names the problem alone; the log is for what went wrong on the disk.
        let message = if e.exit() == Exit::Refused {
            anyhow!("{e}")
        } else {
            message
        };
        Failure::ending(e.exit(), message)
    })?;
    if opts.stop_after.is_some() {
        return Ok(None);
    }
    Ok(Some(Done {
        action: engine::finish_action(&plan),
        disk: plan.describe_disks(),
    }))
}
