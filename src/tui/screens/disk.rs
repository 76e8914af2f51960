//! The disk screen: the disks to install onto (one or more, in order), what is on them now
//! with a mark for each partition to keep, the layout (auto with its scheme, filesystem
//! and swap, or the custom partition editor) and encryption. It edits `[target]` and
//! `[storage]`; the plan decides whether it all works and its refusals show here.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::disk_pick::DiskPick;
pub use super::disk_rows::Layers;
use super::encryption::{self, Unlock};
use super::keep::{self, KeepList};
use super::partitions::{PartEditor, RowInfo};
use crate::answer::{
    Answer, FirmwareChoice, Issue, Layout, RootFs, Scheme, Storage, Swap, human_bytes,
};
use crate::probe::{Disk, Firmware, Hardware};
use crate::tui::app::{Action, App, Nav, Screen};
use crate::tui::widgets::form::{Field, Form, Value, owns};
use crate::tui::widgets::input::Handled;
use crate::tui::{text, ui};

pub use super::disk_pick::selectable;

pub const DISKS: usize = 0;
pub const KEEP: usize = 1;
pub const LAYOUT: usize = 2;
const SCHEME: usize = 3;
const FS: usize = 4;
const SWAP: usize = 5;
pub const PARTS: usize = 6;
pub const ENCRYPT: usize = 7;
pub const PASS_FROM: usize = 8;
pub const PASS: usize = 9;
pub const PASS2: usize = 10;
pub const TPM2: usize = 11;

const LAYOUTS: [&str; 2] = ["auto", "custom"];
const FSES: [&str; 2] = ["xfs", "ext4"];
const SWAPS: [&str; 6] = ["auto", "none", "2GiB", "4GiB", "8GiB", "16GiB"];

#[derive(Debug, Clone)]
pub struct DiskState {
    pub form: Form,
    pub pick: DiskPick,
    pub keep: KeepList,
    pub parts: PartEditor,
    pub layers: Layers,
    pub unlock: Unlock,
    /// The disks the starting answer's `[target]` picks (by path, link or rules): while
    /// exactly these stay picked, the answer's `[target]` is kept as written.
    pub given: Vec<usize>,
    /// The auto layout's schemes offered for the disks picked now (the Scheme field's
    /// options).
    schemes: Vec<Scheme>,
    /// The starting answer's scheme, offered too when the plan accepts it for the disks.
    given_scheme: Scheme,
    /// What a custom layout writes as `filesystem` and `swap` (they only mean something to
    /// the auto layout): the starting answer's, else the defaults.
    custom_fs: RootFs,
    custom_swap: Swap,
    /// The firmware the install boots with: the answer's choice, else the machine's.
    pub(super) firmware: Firmware,
    /// The custom rows are the admin's own (edited here, or from the starting answer):
    /// nothing writes them anew.
    pub(super) own_rows: bool,
    /// The layout turned custom because a partition was marked to keep: unmarking the
    /// last one turns it back to auto.
    pub(super) custom_for_keep: bool,
    /// A message for the notice line, taken by the App.
    pub notice: Option<&'static str>,
}

/// The path written to the answer: a /dev/disk/by-id link when there is one, since kernel
/// names (sda, sdb) can change between boots.
pub fn answer_path(d: &Disk) -> String {
    d.by_id.first().unwrap_or(&d.path).display().to_string()
}

/// The schemes of the auto layout for `n` disks (the plan's rules: plain on one disk,
/// mirrors on two; the issue asks for RAID 1 on exactly two), and `given` when the plan
/// takes it for `n`.
fn schemes_for(n: usize, given: Scheme) -> Vec<Scheme> {
    let mut v = match n {
        0 | 1 => vec![Scheme::Plain, Scheme::Lvm],
        2 => vec![Scheme::Lvm, Scheme::Raid1, Scheme::Raid1Lvm],
        _ => vec![Scheme::Lvm],
    };
    let fits = match given {
        Scheme::Plain => n <= 1,
        Scheme::Lvm => true,
        Scheme::Raid1 | Scheme::Raid1Lvm => n >= 2,
    };
    if fits && !v.contains(&given) {
        v.push(given);
    }
    v
}

impl DiskState {
    pub fn new(hw: &Hardware, answer: &Answer) -> DiskState {
        let given: Vec<usize> = crate::plan::target_disks(&answer.target, hw)
            .into_iter()
            .filter_map(|d| hw.disks.iter().position(|h| std::ptr::eq(h, d)))
            .collect();
        let pick = DiskPick::new(hw, &given);
        let s = &answer.storage;
        let swap = s.swap.to_string();
        let mut swaps: Vec<&str> = SWAPS.to_vec();
        if !swaps.contains(&swap.as_str()) {
            swaps.push(&swap);
        }
        let swap_i = swaps.iter().position(|x| *x == swap).unwrap_or(0);
        let custom = s.layout == Layout::Custom;
        let (crypt, unlock) = encryption::fields(s.encrypt, s.encryption.as_ref(), hw.tpm2);
        let mut fields = vec![
            Field::new(text::F_DISKS, "target", Value::Zone),
            Field::new(text::F_KEEP, "", Value::Zone),
            Field::choice(
                text::F_LAYOUT,
                "storage.layout",
                &LAYOUTS,
                usize::from(custom),
            ),
            Field::choice(text::F_SCHEME, "storage.scheme", &[], 0),
            Field::choice(
                text::F_FS,
                "storage.filesystem",
                &FSES,
                usize::from(s.filesystem == RootFs::Ext4),
            ),
            Field::choice(text::F_SWAP, "storage.swap", &swaps, swap_i),
            Field::new(text::F_PARTS, "storage.partitions", Value::Zone),
        ];
        fields.extend(crypt);
        // The starting rows boot the way the install will: a firmware the answer names
        // wins over the probed one (as in the plan).
        let firmware = match answer.target.firmware {
            FirmwareChoice::Auto => hw.firmware,
            FirmwareChoice::Uefi => Firmware::Uefi,
            FirmwareChoice::Bios => Firmware::Bios,
        };
        let mut st = DiskState {
            form: Form::new(fields),
            pick,
            keep: KeepList::default(),
            parts: PartEditor::default(),
            layers: Layers::default(),
            unlock,
            given,
            schemes: Vec::new(),
            given_scheme: s.scheme,
            custom_fs: if custom {
                s.filesystem
            } else {
                RootFs::default()
            },
            custom_swap: if custom { s.swap } else { Swap::default() },
            firmware,
            own_rows: custom,
            custom_for_keep: false,
            notice: None,
        };
        st.sync_schemes(Some(s.scheme));
        if custom {
            st.parts.rows = s.partitions.clone();
            st.layers = Layers::of(s);
        } else {
            st.write_out_auto(hw);
        }
        st.sync_hidden(hw);
        st
    }

    pub(super) fn custom(&self) -> bool {
        self.form.choice(LAYOUT) == 1
    }

    /// The auto layout's encryption toggle is on, or the custom layout has containers.
    fn encrypting(&self) -> bool {
        if self.custom() {
            !self.layers.encrypted.is_empty()
        } else {
            self.form.toggle(ENCRYPT)
        }
    }

    fn scheme(&self) -> Scheme {
        self.schemes
            .get(self.form.choice(SCHEME))
            .copied()
            .unwrap_or_default()
    }

    /// The Scheme field's options for the disks picked now, keeping the scheme chosen
    /// (`keep`) where it is still offered.
    fn sync_schemes(&mut self, keep: Option<Scheme>) {
        let n = self.pick.picked.len();
        let want = keep.unwrap_or_else(|| self.scheme());
        self.schemes = schemes_for(n, self.given_scheme);
        // What the disks no longer allow becomes its nearest offered kin.
        let near = match want {
            Scheme::Raid1Lvm | Scheme::Lvm if n != 2 => Scheme::Lvm,
            Scheme::Raid1 | Scheme::Raid1Lvm if n <= 1 => Scheme::Plain,
            Scheme::Plain if n >= 2 => Scheme::Lvm,
            s => s,
        };
        let index = [want, near]
            .iter()
            .find_map(|s| self.schemes.iter().position(|x| x == s))
            .unwrap_or(0);
        if let Value::Choice { options, index: i } = &mut self.form.fields[SCHEME].value {
            *options = self
                .schemes
                .iter()
                .map(|s| s.as_str().to_string())
                .collect();
            *i = index;
        }
        self.form.fields[SCHEME].note = Some(text::scheme_note(n).into());
    }

    fn sync_hidden(&mut self, hw: &Hardware) {
        let custom = self.custom();
        let entries = keep::existing(hw, &self.pick.picked);
        self.keep.cursor = self.keep.cursor.min(entries.len().saturating_sub(1));
        self.form.hide(KEEP, entries.is_empty());
        for f in [SCHEME, FS, SWAP] {
            self.form.hide(f, custom);
        }
        self.form.hide(PARTS, !custom);
        let encrypting = self.encrypting();
        encryption::sync(&mut self.form, &self.unlock, encrypting, custom);
        self.form.settle();
    }

    pub fn typing(&self) -> bool {
        self.parts.typing() || self.keep.edit.is_some() || self.form.typing()
    }

    /// The picked disks' indices in `Hardware::disks`, disk 1 first.
    pub fn picked(&self) -> &[usize] {
        &self.pick.picked
    }
}

impl DiskState {
    pub fn update(&mut self, key: Action, hw: &Hardware) -> Option<Nav> {
        let before = self.pick.picked.clone();
        let nav = self.keys(key, hw);
        if self.pick.picked != before {
            self.sync_schemes(None);
            self.picks_changed(&before, hw);
        }
        self.sync_hidden(hw);
        nav
    }

    fn keys(&mut self, key: Action, hw: &Hardware) -> Option<Nav> {
        let focus = self.form.focus;
        match focus {
            DISKS if self.pick.handle(&key) != Handled::No => return None,
            KEEP if self.keep_key(&key, hw) != Handled::No => return None,
            PARTS => {
                if matches!(key, Action::Char('r')) && !self.parts.typing() {
                    self.reset_rows(hw);
                    self.notice = Some(text::ROWS_RESET);
                    return None;
                }
                match self.parts.handle(&key) {
                    Handled::No => {}
                    Handled::Moved => return None,
                    Handled::Changed => {
                        // The admin's own rows now: nothing writes them anew.
                        self.own_rows = true;
                        self.custom_for_keep = false;
                        return None;
                    }
                }
            }
            _ => {}
        }
        let custom = self.custom();
        let nav = self.form.navigate_or_edit(key);
        if self.custom() != custom {
            self.layout_changed(hw);
        }
        nav
    }

    /// Fields -> `[target]` and `[storage]`.
    pub fn apply(&self, hw: &Hardware, a: &mut Answer) {
        let picked = &self.pick.picked;
        let disks: Vec<&Disk> = picked.iter().filter_map(|&i| hw.disks.get(i)).collect();
        // The summary's erase confirmation is the consent; the answer must say so too.
        let content = disks.iter().any(|d| d.has_content());
        if !picked.is_empty() && *picked == self.given {
            // The answer's own target (a kernel name, a link, fleet rules) stays as written.
            a.target.wipe |= content;
        } else {
            a.target.path = None;
            a.target.paths = None;
            a.target.rules = None;
            match disks.as_slice() {
                [] => {}
                [d] => a.target.path = Some(answer_path(d)),
                many => a.target.paths = Some(many.iter().map(|d| answer_path(d)).collect()),
            }
            a.target.wipe = content;
        }
        if self.custom() {
            let s = &mut a.storage;
            s.layout = Layout::Custom;
            s.scheme = Scheme::Plain;
            s.encrypt = false;
            s.filesystem = self.custom_fs;
            s.swap = self.custom_swap;
            s.partitions = self.parts.rows.clone();
            s.raids = self.layers.raids.clone();
            s.volume_groups = self.layers.volume_groups.clone();
            s.volumes = self.layers.volumes.clone();
            s.encrypted = self.layers.encrypted.clone();
            s.encryption = if self.layers.encrypted.is_empty() {
                None
            } else {
                // Containers need [storage.encryption], even an empty one (its issue
                // then says that nothing unlocks them).
                Some(encryption::encryption(&self.form, &self.unlock).unwrap_or_default())
            };
        } else {
            self.apply_auto(&mut a.storage);
        }
    }

    /// The auto layout's fields -> `s`.
    pub(super) fn apply_auto(&self, s: &mut Storage) {
        s.layout = Layout::Auto;
        s.partitions.clear();
        s.raids.clear();
        s.volume_groups.clear();
        s.volumes.clear();
        s.encrypted.clear();
        s.scheme = self.scheme();
        s.filesystem = if self.form.choice(FS) == 1 {
            RootFs::Ext4
        } else {
            RootFs::Xfs
        };
        let swap = match &self.form.fields[SWAP].value {
            Value::Choice { options, index } => options.get(*index).and_then(|s| s.parse().ok()),
            _ => None,
        };
        s.swap = swap.unwrap_or(Swap::Auto);
        s.encrypt = self.form.toggle(ENCRYPT);
        s.encryption = if s.encrypt {
            encryption::encryption(&self.form, &self.unlock)
        } else {
            None
        };
    }
}

/// What the answer checks cannot see: the two passphrase inputs differ.
pub fn local_issues(app: &App) -> Vec<Issue> {
    encryption::local_issues(&app.disk.form, app.disk.encrypting())
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
    let hw = &app.hw;
    let w = area.width.saturating_sub(2) as usize;
    let entries = keep::existing(hw, &st.pick.picked);
    let rows = &st.parts.rows;
    // A kept partition's issues go on its line of the keep list.
    let kept_rows: Vec<usize> = entries
        .iter()
        .filter_map(|e| keep::kept_row(rows, e))
        .collect();
    let (keep_issues, issues): (Vec<Issue>, Vec<Issue>) =
        app.issues_for(Screen::Disk).into_iter().partition(|i| {
            kept_rows
                .iter()
                .any(|r| owns(&format!("storage.partitions[{r}]"), &i.path))
        });
    let mut lines: Vec<Line> = Vec::new();
    let layers = &st.layers;
    let user = |n: &str| layers.user(n);
    let kept = |i: usize| {
        let e = entries
            .iter()
            .find(|e| keep::kept_row(rows, e) == Some(i))?;
        Some(format!(
            "{} {}",
            keep::short_name(e),
            e.part.fs_type.as_deref().unwrap_or("-")
        ))
    };
    let info = RowInfo {
        disks: st.pick.picked.len() > 1 || rows.iter().any(|r| r.disk_index() > 0),
        user: &user,
        kept: &kept,
    };
    let (form_lines, focus) = st.form.lines_and_focus(
        0..st.form.fields.len(),
        &issues,
        w,
        &mut |i, focused, out| match i {
            DISKS => out.extend(st.pick.lines(hw, focused, w)),
            KEEP => out.extend(keep::lines(
                &st.keep,
                &entries,
                rows,
                &keep_issues,
                focused,
                w,
            )),
            _ => out.extend(st.parts.lines(focused, w, &info)),
        },
    );
    lines.extend(form_lines);
    // What the picked disks hold besides partitions (whole-disk signatures, unreadable).
    for &i in &st.pick.picked {
        if let Some(d) = hw.disks.get(i)
            && d.partitions.is_empty()
            && d.has_content()
        {
            let s = text::now_on(&d.name, &contents(d));
            lines.extend(ui::wrap(&s, w).into_iter().take(2).map(Line::from));
        }
    }
    // Issues no field claimed (e.g. "target.wipe", "storage" as a whole).
    for i in st.form.unclaimed(&issues) {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    // Taller than the terminal: scrolled so that the focused field shows whole.
    let height = area.height.saturating_sub(2) as usize;
    let scroll = if focus.end <= height {
        0
    } else {
        focus.start.min(focus.end - height)
    };
    frame.render_widget(
        Paragraph::new(lines)
            .scroll((u16::try_from(scroll).unwrap_or(u16::MAX), 0))
            .block(ui::block(app, text::DISK_TITLE)),
        area,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raid_schemes_are_offered_for_two_disks() {
        assert_eq!(schemes_for(1, Scheme::Plain), [Scheme::Plain, Scheme::Lvm]);
        assert_eq!(
            schemes_for(2, Scheme::Plain),
            [Scheme::Lvm, Scheme::Raid1, Scheme::Raid1Lvm]
        );
        assert_eq!(schemes_for(3, Scheme::Plain), [Scheme::Lvm]);
        // A starting answer's three-disk mirror stays offered (the plan takes it).
        assert_eq!(schemes_for(3, Scheme::Raid1), [Scheme::Lvm, Scheme::Raid1]);
        assert_eq!(schemes_for(1, Scheme::Raid1), [Scheme::Plain, Scheme::Lvm]);
    }
}
