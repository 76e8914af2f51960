//! The summary: the plan (target disk, what is destroyed, the new partitions, packages,
//! settings), every problem that blocks the install, and the gate: Enter opens a dialog in
//! which the word "erase" must be typed. `e` exports the answer file.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::{Issue, human_bytes, redact_url, to_toml};
use crate::plan::{Plan, Shadow, describe_disk};
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
        Action::Char('e') => return Some(Effect::Export(to_toml(&app.answer))),
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
    let mut v = Vec::new();
    for (i, target) in plan.disks.iter().enumerate() {
        v.push(Line::from(vec![
            Span::styled(text::S_TARGET, ui::heading()),
            Span::raw(describe_disk(&target.disk)),
        ]));
        if target.destroys.is_empty() {
            v.push(Line::from(text::S_DESTROYS_NOTHING));
        } else {
            v.push(Line::from(Span::styled(text::S_DESTROYS, ui::error())));
            for d in &target.destroys {
                v.push(Line::from(ui::cut(&format!("  - {d}"), w)));
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
            let what = fs
                .and_then(|f| f.mount.clone())
                .or_else(|| plan.users_of(here))
                .unwrap_or_else(|| p.name.clone());
            v.push(Line::from(format!(
                "  {:>2}  {:>10}  {:<5}  {}",
                p.number,
                human_bytes(p.size_bytes(ss)),
                fs.map_or(crate::answer::FsType::None, |f| f.fs).as_str(),
                what
            )));
        }
    }
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
    let net: Vec<String> = plan.network.iter().map(text::connection_line).collect();
    let net = if net.is_empty() {
        text::ALL_DHCP.to_string()
    } else {
        format!("{}; {}", net.join("; "), text::OTHERS_DHCP)
    };
    v.push(Line::from(ui::cut(&format!("{}{net}", text::S_NETWORK), w)));
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
