//! The summary: the plan (each target disk with what is destroyed and kept and its new
//! partitions, the storage layers above them, packages, settings), every problem that blocks the install, and the gate: Enter opens a dialog in
//! which the word "erase" must be typed. `e` exports the answer file.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::{Issue, human_bytes, redact_url, to_toml};
use crate::plan::{Plan, Shadow, describe_disk, kept_lines, layer_lines};
use crate::tui::app::{Action, App, Effect, Popup, Screen};
use crate::tui::widgets::input::LineInput;
use crate::tui::{text, ui};

#[derive(Debug, Clone, Default)]
pub struct SummaryState {
    pub scroll: u16,
}

/// Everything that stops the install, from every screen.
pub fn blockers(app: &App) -> Vec<Issue> {
    let mut v = app.issues_for(Screen::Summary);
    if let Some(Err(e)) = &app.repos {
        v.push(Issue::new("repos", text::repos_not_verified(e)));
    }
    if app.plan.is_none() {
        v.push(Issue::new("", text::NOT_RESOLVED));
    }
    v
}

pub fn update(app: &mut App, key: Action) -> Option<Effect> {
    let st = &mut app.summary;
    match key {
        Action::Esc => return app.back(),
        Action::Up => st.scroll = st.scroll.saturating_sub(1),
        Action::Down => st.scroll = st.scroll.saturating_add(1),
        Action::PageUp => st.scroll = st.scroll.saturating_sub(10),
        Action::PageDown => st.scroll = st.scroll.saturating_add(10),
        // As the answer saved on the target: never the disk passphrase.
        Action::Char('e') => return Some(Effect::Export(to_toml(&app.answer.without_secrets()))),
        Action::Enter => {
            if blockers(app).is_empty() && matches!(app.plan, Some(Ok(_))) {
                app.popup = Some(Popup::Confirm {
                    input: LineInput::default(),
                    wrong: false,
                });
            } else {
                app.notice = Some(text::CANNOT_INSTALL.into());
            }
        }
        _ => {}
    }
    None
}

/// The plan as the summary shows it; the webhook is the front door's (the answer's), not
/// the plan's.
fn plan_lines(plan: &Plan, webhook: Option<&str>, w: usize) -> Vec<Line<'static>> {
    let mut v = storage_lines(plan, w);
    let pkgs = &plan.payload;
    let mut sw = text::software_line(pkgs, &plan.system.kernel.series);
    if pkgs.installed_bytes > 0 {
        sw.push_str(&text::sizes(
            &human_bytes(pkgs.download_bytes),
            &human_bytes(pkgs.installed_bytes),
        ));
    }
    // Wrapped like the system line: the sizes must not be cut off at 80 columns.
    let swl = ui::wrap(&format!("{}{sw}", text::S_SOFTWARE), w.saturating_sub(2));
    for (i, l) in swl.into_iter().enumerate() {
        v.push(Line::from(if i == 0 { l } else { format!("  {l}") }));
    }
    let sys = ui::wrap(
        &format!("{}{}", text::S_SYSTEM, text::system_line(plan)),
        w.saturating_sub(2),
    );
    for (i, l) in sys.into_iter().enumerate() {
        v.push(Line::from(if i == 0 { l } else { format!("  {l}") }));
    }
    let acc: Vec<String> = std::iter::once(&plan.system.accounts.root)
        .chain(&plan.system.accounts.users)
        .map(|u| {
            let locked = u.password == Shadow::Locked;
            format!("{} {}", u.name, text::account(locked, u.ssh_keys.len()))
        })
        .collect();
    v.push(Line::from(vec![
        Span::styled(text::S_ACCOUNTS, ui::heading()),
        Span::raw(acc.join("; ")),
    ]));
    // One line per profile: a bond's, its ports' and its VLANs' would not fit in one.
    if plan.network.is_empty() {
        v.push(Line::from(ui::cut(
            &format!("{}{}", text::S_NETWORK, text::ALL_DHCP),
            w,
        )));
    } else {
        v.push(Line::from(format!(
            "{}{}",
            text::S_NETWORK,
            text::OTHERS_DHCP
        )));
        for c in &plan.network {
            let wrapped = ui::wrap(&text::connection_line(c), w.saturating_sub(4));
            for (i, l) in wrapped.into_iter().enumerate() {
                v.push(Line::from(if i == 0 {
                    format!("  {l}")
                } else {
                    format!("    {l}")
                }));
            }
        }
    }
    let scripts = &plan.system.post_scripts;
    if !scripts.is_empty() {
        v.push(Line::from(vec![
            Span::styled(text::S_SCRIPTS, ui::heading()),
            Span::raw(text::scripts_count(scripts.len())),
        ]));
        for (i, s) in scripts.iter().enumerate() {
            v.push(Line::from(ui::cut(
                &text::script_line(i + 1, s.chroot, &s.run),
                w,
            )));
        }
    }
    if let Some(url) = webhook {
        let shown = text::reporting(&redact_url(url));
        v.push(Line::from(vec![
            Span::styled(text::S_REPORTING, ui::heading()),
            Span::raw(ui::cut(&shown, w.saturating_sub(text::S_REPORTING.len()))),
        ]));
    }
    v
}

/// The device tree: each disk with what it destroys, what it keeps and its new table
/// (each partition with its filesystem and mount, or the layer made on it), then the
/// layers above the partitions as the plan renders them (arrays, containers, groups and
/// volumes down to their filesystems and mounts, and how containers are unlocked).
fn storage_lines(plan: &Plan, w: usize) -> Vec<Line<'static>> {
    let mut v = Vec::new();
    if !plan.releases.is_empty() {
        v.push(Line::from(Span::styled(text::S_STOPS, ui::error())));
    }
    for r in &plan.releases {
        v.push(Line::from(ui::cut(&format!("  - {}", r.what), w)));
    }
    let several = plan.disks.len() > 1;
    for (i, target) in plan.disks.iter().enumerate() {
        let head = if several {
            text::s_disk_n(i + 1)
        } else {
            text::S_TARGET.to_string()
        };
        v.push(Line::from(vec![
            Span::styled(head, ui::heading()),
            Span::raw(describe_disk(&target.disk)),
        ]));
        let kept = kept_lines(plan, i);
        if target.destroys.is_empty() {
            v.push(Line::from(text::S_DESTROYS_NOTHING));
        } else {
            let head = if kept.is_empty() {
                text::S_DESTROYS
            } else {
                text::S_DESTROYS_BUT_KEPT
            };
            v.push(Line::from(Span::styled(head, ui::error())));
            for d in &target.destroys {
                v.push(Line::from(ui::cut(&format!("  - {d}"), w)));
            }
        }
        if !kept.is_empty() {
            v.push(Line::from(Span::styled(text::S_KEEPS, ui::heading())));
            for k in &kept {
                v.extend(indented(&format!("+ {k}"), w));
            }
        }
        let fw = plan.system.bootloader.firmware.name();
        v.push(Line::from(Span::styled(text::new_table(fw), ui::heading())));
        let ss = target.table.sector_size;
        for p in &target.table.partitions {
            let fs = plan.filesystem_on(i, p.number);
            let here = crate::plan::DeviceRef::Partition {
                disk: i,
                number: p.number,
            };
            let mut what = match fs {
                Some(f) if f.is_esp_copy() => text::S_ESP_COPY.into(),
                _ => fs
                    .and_then(|f| f.mount.clone())
                    .or_else(|| plan.users_of(here))
                    .unwrap_or_else(|| p.name.clone()),
            };
            if p.kept.is_some() {
                what.push_str(text::S_KEPT_MARK);
            }
            v.push(Line::from(ui::cut(
                &format!(
                    "  {:>2}  {:>10}  {:<5}  {}",
                    p.number,
                    human_bytes(p.size_bytes(ss)),
                    fs.map_or("-", |f| f.fs.as_str()),
                    what
                ),
                w,
            )));
        }
    }
    let layers = layer_lines(plan);
    if !layers.is_empty() {
        v.push(Line::from(Span::styled(text::S_LAYERS, ui::heading())));
        for l in &layers {
            v.extend(indented(l, w));
        }
    }
    v
}

/// `s` wrapped at `w`, indented two columns (four on the lines it continues on).
fn indented(s: &str, w: usize) -> Vec<Line<'static>> {
    let lead = s.len() - s.trim_start().len();
    ui::wrap(s.trim_start(), w.saturating_sub(4 + lead))
        .into_iter()
        .enumerate()
        .map(|(n, l)| {
            let pad = 2 + lead + if n == 0 { 0 } else { 2 };
            Line::from(format!("{:pad$}{l}", ""))
        })
        .collect()
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let w = area.width.saturating_sub(2) as usize;
    let mut lines = match &app.plan {
        Some(Ok(plan)) => plan_lines(plan, app.answer.reporting.webhook.as_deref(), w),
        _ => Vec::new(),
    };
    let blockers = blockers(app);
    if !blockers.is_empty() {
        lines.push(Line::from(Span::styled(text::S_BLOCKED, ui::error())));
        for i in &blockers {
            lines.extend(ui::loose_issue_lines(i, w));
        }
    }
    let para = Paragraph::new(lines)
        .scroll((app.summary.scroll, 0))
        .block(ui::block(app, text::SUMMARY_TITLE));
    frame.render_widget(para, area);
}
