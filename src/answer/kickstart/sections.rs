//! The `%` sections: `%packages` and `%post` convert; `%pre`, `%onerror`, `%addon`,
//! `%anaconda` and the like cannot, and are warned about with their line.

use super::{Ctx, Opts};
use crate::answer::Script;

pub(super) fn section(
    cx: &mut Ctx,
    line: usize,
    header: &[String],
    body: &[(usize, String)],
    closed: bool,
) {
    let Some((name, args)) = header.split_first() else {
        return;
    };
    if !closed {
        cx.warn(
            line,
            name,
            "no %end: the section runs to the end of the file",
        );
    }
    match name.as_str() {
        "%packages" => packages(cx, line, args, body),
        "%post" => post(cx, line, args, body),
        "%pre" | "%pre-install" => cx.warn(
            line,
            name,
            "runs before the disks are set up in Anaconda: not converted (what it computes, \
             such as an %include file, must be written into the answer)",
        ),
        "%onerror" | "%traceback" => cx.warn(
            line,
            name,
            "not converted: a failed install ends with an `ended` event (see [reporting])",
        ),
        "%anaconda" => cx.warn(line, name, "Anaconda's own settings: not converted"),
        other => cx.warn(line, other, "add-on section: not converted"),
    }
}

fn packages(cx: &mut Ctx, line: usize, args: &[String], body: &[(usize, String)]) {
    let mut o = Opts::new(args, &["instLangs", "inst-langs", "timeout", "retries"]);
    let nocore = o.flag(&["nocore"]);
    if o.flag(&["excludeWeakdeps", "exclude-weakdeps"]) {
        cx.answer.packages.weak_deps = false;
    }
    if o.flag(&["ignoremissing"]) {
        cx.warn(
            line,
            "%packages",
            "--ignoremissing: a package missing from the repositories refuses the install",
        );
    }
    if o.flag(&["default"]) {
        cx.warn(
            line,
            "%packages",
            "--default: the default set is the core group and what the answer needs",
        );
    }
    cx.leftover(line, "%packages", &mut o);
    let p = &mut cx.answer.packages;
    // Anaconda always installs @core unless told --nocore.
    let mut groups: Vec<String> = if nocore {
        Vec::new()
    } else {
        vec!["core".into()]
    };
    let mut warns = Vec::new();
    for (l, text) in body {
        let words = match super::split(text) {
            Ok(w) => w,
            Err(why) => {
                warns.push((*l, format!("not read: {why}")));
                continue;
            }
        };
        let Some(first) = words.first() else { continue };
        if words.len() > 1 {
            warns.push((*l, format!("{} is not converted", words[1..].join(" "))));
        }
        if let Some(env) = first.strip_prefix("@^") {
            warns.push((
                *l,
                format!("environment {env:?} is not installed: list its groups instead"),
            ));
        } else if let Some(g) = first.strip_prefix("-@") {
            warns.push((
                *l,
                format!("group {g:?} cannot be excluded: exclude its packages instead"),
            ));
        } else if let Some(g) = first.strip_prefix('@') {
            if !groups.iter().any(|x| x == g) {
                groups.push(g.to_string());
            }
        } else if let Some(pkg) = first.strip_prefix('-') {
            p.exclude.push(pkg.to_string());
        } else {
            p.install.push(first.clone());
        }
    }
    // Nothing but core (or nothing at all) is the answer's default: left unsaid.
    if groups != ["core"] {
        p.groups = Some(groups);
    }
    for (l, why) in warns {
        cx.warn(l, "%packages", why);
    }
}

fn post(cx: &mut Ctx, line: usize, args: &[String], body: &[(usize, String)]) {
    let mut o = Opts::new(args, &["interpreter", "log"]);
    let chroot = !o.flag(&["nochroot"]);
    let interpreter = o.value(&["interpreter"]);
    if let Some(log) = o.value(&["log"]) {
        cx.warn(
            line,
            "%post",
            format!("--log={log}: the script's output goes to the install log instead"),
        );
    }
    if !o.flag(&["erroronfail"]) {
        cx.warn(
            line,
            "%post",
            "a failing script fails the install here (Anaconda goes on without --erroronfail)",
        );
    }
    cx.leftover(line, "%post", &mut o);
    let mut text: String = body.iter().map(|(_, l)| format!("{l}\n")).collect();
    match interpreter.as_deref() {
        None | Some("/bin/sh") | Some("/usr/bin/sh") => {}
        Some(i) => {
            // The answer's scripts run with /bin/sh: hand the text to the interpreter on
            // its standard input, with an end marker the text does not contain.
            let mut end = String::from("AZL_KICKSTART_END");
            while text.lines().any(|l| l == end) {
                end.push('_');
            }
            let reads_stdin =
                if i.ends_with("python") || i.contains("python3") || i.ends_with("perl") {
                    " -"
                } else {
                    ""
                };
            text = format!("exec {i}{reads_stdin} <<'{end}'\n{text}{end}\n");
        }
    }
    cx.answer.scripts.post.push(Script {
        chroot,
        run: text,
        timeout: crate::answer::types::default_timeout(),
    });
}
