//! The disk screen: every disk with model, size, transport, SSD/HDD, serial and what is on
//! it now; busy disks are listed but cannot be chosen. Then the auto layout's filesystem and
//! swap, or the custom partition editor.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::partitions::{self, PartEditor};
use crate::answer::{Answer, FirmwareChoice, Layout, RootFs, Swap, human_bytes};
use crate::probe::{Disk, Firmware, Hardware};
use crate::tui::app::{Action, App, Nav};
use crate::tui::widgets::form::{Field, Form, Value};
use crate::tui::widgets::input::Handled;
use crate::tui::{text, ui};

const DISK: usize = 0;
const LAYOUT: usize = 1;
const FS: usize = 2;
const SWAP: usize = 3;
const PARTS: usize = 4;

const LAYOUTS: [&str; 2] = ["auto", "custom"];
const FSES: [&str; 2] = ["xfs", "ext4"];
const SWAPS: [&str; 6] = ["auto", "none", "2GiB", "4GiB", "8GiB", "16GiB"];

#[derive(Debug, Clone)]
pub struct DiskState {
    pub form: Form,
    /// Indices into `Hardware::disks` of the disks that may be chosen, in choice order.
    pub free: Vec<usize>,
    pub parts: PartEditor,
    /// The disk the starting answer's `[target]` picks (by path, link or rules): while it
    /// stays chosen, the answer's `[target]` is kept as written.
    pub given: Option<usize>,
}

/// A disk may be chosen when nothing uses it and it can be written.
pub fn selectable(d: &Disk) -> bool {
    d.usage.is_empty() && !d.read_only
}

/// The path written to the answer: a /dev/disk/by-id link when there is one, since kernel
/// names (sda, sdb) can change between boots.
pub fn answer_path(d: &Disk) -> String {
    d.by_id.first().unwrap_or(&d.path).display().to_string()
}

impl DiskState {
    pub fn new(hw: &Hardware, answer: &Answer) -> DiskState {
        let free: Vec<usize> = (0..hw.disks.len())
            .filter(|&i| selectable(&hw.disks[i]))
            .collect();
        let mut options: Vec<String> = free.iter().map(|&i| choice_label(&hw.disks[i])).collect();
        if options.is_empty() {
            options.push(text::NO_FREE_DISK.into());
        }
        let given = crate::plan::target_disk(&answer.target, hw)
            .and_then(|d| hw.disks.iter().position(|h| std::ptr::eq(h, d)));
        let chosen = given.and_then(|g| free.iter().position(|&i| i == g));
        let s = &answer.storage;
        let swap = s.swap.to_string();
        let mut swaps: Vec<&str> = SWAPS.to_vec();
        if !swaps.contains(&swap.as_str()) {
            swaps.push(&swap);
        }
        let swap_i = swaps.iter().position(|x| *x == swap).unwrap_or(0);
        let custom = s.layout == Layout::Custom;
        let form = Form::new(vec![
            Field::new(
                text::F_DISK,
                "target",
                Value::Choice {
                    options,
                    index: chosen.unwrap_or(0),
                },
            ),
            Field::choice(
                text::F_LAYOUT,
                "storage.layout",
                &LAYOUTS,
                usize::from(custom),
            ),
            Field::choice(
                text::F_FS,
                "storage.filesystem",
                &FSES,
                usize::from(s.filesystem == RootFs::Ext4),
            ),
            Field::choice(text::F_SWAP, "storage.swap", &swaps, swap_i),
            Field::new(text::F_PARTS, "storage.partitions", Value::Zone),
        ]);
        // The starting rows boot the way the install will: a firmware the answer names
        // wins over the probed one (as in the plan).
        let firmware = match answer.target.firmware {
            FirmwareChoice::Auto => hw.firmware,
            FirmwareChoice::Uefi => Firmware::Uefi,
            FirmwareChoice::Bios => Firmware::Bios,
        };
        let rows = if custom {
            s.partitions.clone()
        } else {
            partitions::defaults(firmware)
        };
        let mut st = DiskState {
            form,
            free,
            given,
            parts: PartEditor {
                rows,
                ..Default::default()
            },
        };
        st.sync_hidden();
        st
    }

    fn custom(&self) -> bool {
        self.form.choice(LAYOUT) == 1
    }

    fn sync_hidden(&mut self) {
        let custom = self.custom();
        self.form.hide(FS, custom);
        self.form.hide(SWAP, custom);
        self.form.hide(PARTS, !custom);
        self.form.settle();
    }

    pub fn typing(&self) -> bool {
        self.parts.typing()
    }

    /// The chosen disk's index in `Hardware::disks`.
    pub fn chosen(&self) -> Option<usize> {
        self.free.get(self.form.choice(DISK)).copied()
    }
}

fn choice_label(d: &Disk) -> String {
    format!(
        "{} {} {}",
        d.name,
        d.model.as_deref().unwrap_or(""),
        human_bytes(d.size_bytes)
    )
    .split_whitespace()
    .collect::<Vec<_>>()
    .join(" ")
}

impl DiskState {
    pub fn update(&mut self, key: Action) -> Option<Nav> {
        if self.form.focused_zone() && self.parts.handle(&key) != Handled::No {
            return None;
        }
        let nav = self.form.navigate_or_edit(key);
        self.sync_hidden();
        nav
    }

    /// Fields -> `[target]` and `[storage]`.
    pub fn apply(&self, hw: &Hardware, a: &mut Answer) {
        let chosen = self.chosen();
        let disk = chosen.and_then(|i| hw.disks.get(i));
        // The summary's erase confirmation is the consent; the answer must say so too.
        let content = disk.is_some_and(Disk::has_content);
        if chosen.is_some() && chosen == self.given {
            // The answer's own target (a kernel name, a link, fleet rules) stays as written.
            a.target.wipe |= content;
        } else {
            a.target.path = disk.map(answer_path);
            a.target.paths = None;
            a.target.rules = None;
            a.target.wipe = content;
        }
        if self.custom() {
            a.storage.layout = Layout::Custom;
            a.storage.partitions = self.parts.rows.clone();
        } else {
            a.storage.layout = Layout::Auto;
            a.storage.partitions.clear();
            a.storage.filesystem = if self.form.choice(FS) == 1 {
                RootFs::Ext4
            } else {
                RootFs::Xfs
            };
            let swap = match &self.form.fields[SWAP].value {
                Value::Choice { options, index } => {
                    options.get(*index).and_then(|s| s.parse().ok())
                }
                _ => None,
            };
            a.storage.swap = swap.unwrap_or(Swap::Auto);
        }
    }
}

/// What is on the disk now, one line.
pub fn contents(d: &Disk) -> String {
    if let Some(e) = &d.contents_error {
        return text::contents_unknown(e);
    }
    if !d.has_content() {
        return text::EMPTY_DISK.into();
    }
    let mut parts: Vec<String> = d
        .partitions
        .iter()
        .map(|p| {
            let fs = p.fs_type.as_deref().unwrap_or("no fs");
            let label = p
                .label
                .as_deref()
                .map(|l| format!(" \"{l}\""))
                .unwrap_or_default();
            format!("{} {fs}{label} {}", p.name, human_bytes(p.size_bytes))
        })
        .collect();
    parts.extend(
        d.signatures
            .iter()
            .map(|s| format!("{} on the whole disk", s.fs_type)),
    );
    match &d.table {
        Some(t) => format!("{t}: {}", parts.join(", ")),
        None => parts.join(", "),
    }
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let st = &app.disk;
    let w = area.width.saturating_sub(2) as usize;
    let chosen = st.chosen();
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {:<8} {:<22} {:>10} {:<6} {:<3} {}",
            "Device", "Model", "Size", "Bus", "", "Serial / state"
        ),
        ui::heading(),
    ))];
    for (i, d) in app.hw.disks.iter().enumerate() {
        let mark = if Some(i) == chosen { "*" } else { " " };
        let state = match d.usage.first() {
            Some(_) => text::BUSY.to_string(),
            None if d.read_only => text::READ_ONLY.into(),
            None => d.serial.clone().unwrap_or_default(),
        };
        let s = format!(
            "{mark} {:<8} {:<22} {:>10} {:<6} {:<3} {}",
            ui::cut(&d.name, 8),
            ui::cut(d.model.as_deref().unwrap_or("-"), 22),
            human_bytes(d.size_bytes),
            d.transport.name(),
            if d.is_ssd() { "SSD" } else { "HDD" },
            state
        );
        let style = if selectable(d) {
            Style::new()
        } else {
            ui::dim()
        };
        lines.push(Line::from(Span::styled(ui::cut(&s, w), style)));
    }
    // Why the others cannot be chosen, in full.
    for d in app.hw.disks.iter().filter(|d| !d.usage.is_empty()) {
        let why: Vec<String> = d.usage.iter().map(ToString::to_string).collect();
        lines.push(Line::from(Span::styled(
            ui::cut(&text::busy_because(&d.name, &why.join("; ")), w),
            ui::dim(),
        )));
    }
    if let Some(d) = chosen.and_then(|i| app.hw.disks.get(i)) {
        let s = text::now_on(&d.name, &contents(d));
        lines.extend(ui::wrap(&s, w).into_iter().take(2).map(Line::from));
    }
    let issues = app.issues_for(crate::tui::app::Screen::Disk);
    let parts = &st.parts;
    lines.extend(st.form.lines(
        0..st.form.fields.len(),
        &issues,
        w,
        &mut |_, focused, out| {
            out.extend(parts.lines(focused, w));
        },
    ));
    // Issues no field claimed (e.g. "target.wipe", "storage" as a whole).
    for i in st.form.unclaimed(&issues) {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    frame.render_widget(
        Paragraph::new(lines).block(ui::block(app, text::DISK_TITLE)),
        area,
    );
}
