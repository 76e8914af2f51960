//! The custom layout's rows on the disk screen: written out from the auto layout (so a
//! custom layout starts as exactly what auto would make), partitions marked to keep added
//! and removed where the plan can place them, and rows following the disks as they are
//! picked.

use super::disk::{DiskState, LAYOUT};
use super::keep;
use crate::answer::{CryptSpec, PartitionSpec, RaidSpec, Storage, VolumeGroupSpec, VolumeSpec};
use crate::probe::{Disk, Hardware};
use crate::tui::app::Action;
use crate::tui::text;
use crate::tui::widgets::input::{Handled, LineInput};

/// What a custom layout makes on its partitions: kept as given, or written out with the
/// rows from the auto layout.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layers {
    pub raids: Vec<RaidSpec>,
    pub volume_groups: Vec<VolumeGroupSpec>,
    pub volumes: Vec<VolumeSpec>,
    pub encrypted: Vec<CryptSpec>,
}

impl Layers {
    pub(super) fn of(s: &Storage) -> Layers {
        Layers {
            raids: s.raids.clone(),
            volume_groups: s.volume_groups.clone(),
            volumes: s.volumes.clone(),
            encrypted: s.encrypted.clone(),
        }
    }

    /// What is made on the partition named `name`.
    pub(super) fn user(&self, name: &str) -> Option<String> {
        if let Some(r) = self
            .raids
            .iter()
            .find(|r| r.members.iter().any(|m| m == name))
        {
            return Some(format!("array {}", r.name));
        }
        if let Some(c) = self.encrypted.iter().find(|c| c.on == name) {
            return Some(format!("LUKS2 {}", c.name));
        }
        self.volume_groups
            .iter()
            .find(|g| g.on.iter().any(|o| o == name))
            .map(|g| format!("LVM {}", g.name))
    }
}

impl DiskState {
    /// Writes the auto layout for the disks and choices of now out as custom rows and
    /// layers (a single disk's rows name no disk, as an admin would write them).
    pub(super) fn write_out_auto(&mut self, hw: &Hardware) {
        let disks: Vec<&Disk> = self
            .pick
            .picked
            .iter()
            .filter_map(|&i| hw.disks.get(i))
            .collect();
        let mut auto = Storage::default();
        self.apply_auto(&mut auto);
        let s = crate::plan::auto_layout(&auto, self.firmware, &disks, hw.memory_bytes);
        let mut rows = s.partitions.clone();
        if disks.len() <= 1 {
            for r in &mut rows {
                r.disk = None;
            }
        }
        self.parts.rows = rows;
        self.parts.cursor = 0;
        self.layers = Layers::of(&s);
    }

    pub(super) fn any_kept(&self) -> bool {
        self.parts.rows.iter().any(|r| r.keep)
    }

    /// The keep list's keys: k (or Space) keeps or erases, e edits a kept one's mount.
    pub(super) fn keep_key(&mut self, key: &Action, hw: &Hardware) -> Handled {
        let entries = keep::existing(hw, &self.pick.picked);
        let Some(e) = entries.get(self.keep.cursor).copied() else {
            return Handled::No;
        };
        let row = keep::kept_row(&self.parts.rows, &e);
        if let Some(input) = &mut self.keep.edit {
            match key {
                Action::Esc => self.keep.edit = None,
                Action::Enter => {
                    let mount = input.text().trim().to_string();
                    if let Some(r) = row.and_then(|r| self.parts.rows.get_mut(r)) {
                        r.mount = (!mount.is_empty()).then_some(mount);
                    }
                    self.keep.edit = None;
                    return Handled::Changed;
                }
                k => {
                    input.handle(k);
                }
            }
            return Handled::Moved;
        }
        match key {
            Action::Up if self.keep.cursor > 0 => self.keep.cursor -= 1,
            Action::Down if self.keep.cursor + 1 < entries.len() => self.keep.cursor += 1,
            Action::Char('k' | ' ') => {
                match row {
                    Some(r) => self.unkeep(r),
                    None => self.mark_kept(&e, hw),
                }
                return Handled::Changed;
            }
            Action::Char('e') => {
                if let Some(r) = row.and_then(|r| self.parts.rows.get(r)) {
                    self.keep.edit = Some(LineInput::new(r.mount.clone().unwrap_or_default()));
                }
            }
            _ => return Handled::No,
        }
        Handled::Moved
    }

    /// Keeps partition `e`: a row of the custom layout (the auto layout's rows are
    /// written out first), where the new partitions leave room for it; its mount point is
    /// asked for at once.
    pub(super) fn mark_kept(&mut self, e: &keep::Existing, hw: &Hardware) {
        if !self.custom() {
            self.write_out_auto(hw);
            self.form.set_choice(LAYOUT, 1);
            self.custom_for_keep = true;
            self.notice = Some(text::KEEP_MADE_CUSTOM);
        }
        let several =
            self.pick.picked.len() > 1 || self.parts.rows.iter().any(|r| r.disk.is_some());
        let mount = keep::suggest_mount(e.part, &self.parts.rows);
        self.parts.rows.push(PartitionSpec {
            disk: several.then(|| e.disk as u32 + 1),
            name: None,
            mount: Some(mount.clone()),
            size: None,
            fs: None,
            label: None,
            options: None,
            keep: true,
            existing: Some(keep::best_match(e.on, e.part)),
        });
        keep::order_rows(&mut self.parts.rows, e.disk, e.on);
        self.keep.edit = Some(LineInput::new(mount));
    }

    pub(super) fn unkeep(&mut self, row: usize) {
        self.parts.rows.remove(row);
        self.parts.cursor = self
            .parts
            .cursor
            .min(self.parts.rows.len().saturating_sub(1));
        if self.custom_for_keep && !self.any_kept() {
            self.form.set_choice(LAYOUT, 0);
            self.custom_for_keep = false;
            self.notice = Some(text::BACK_TO_AUTO);
        }
    }

    /// The auto layout written out again, with the partitions kept so far.
    pub(super) fn reset_rows(&mut self, hw: &Hardware) {
        let kept: Vec<PartitionSpec> = self.parts.rows.iter().filter(|r| r.keep).cloned().collect();
        self.write_out_auto(hw);
        self.readd_kept(kept, hw);
        self.own_rows = false;
    }

    /// Puts kept rows back after the rows were written anew, each on its disk.
    pub(super) fn readd_kept(&mut self, kept: Vec<PartitionSpec>, hw: &Hardware) {
        let several = self.pick.picked.len() > 1;
        for mut r in kept {
            let d = r.disk_index();
            r.disk = several.then(|| d as u32 + 1);
            self.parts.rows.push(r);
            if let Some(disk) = self.pick.picked.get(d).and_then(|&i| hw.disks.get(i)) {
                keep::order_rows(&mut self.parts.rows, d, disk);
            }
        }
    }

    /// Other disks were picked: the rows follow their disks (rows of a disk no longer
    /// picked go), or are written anew when they are not the admin's own.
    pub(super) fn picks_changed(&mut self, before: &[usize], hw: &Hardware) {
        let several = self.pick.picked.len() > 1;
        let moved: Vec<PartitionSpec> = self
            .parts
            .rows
            .iter()
            .filter_map(|r| {
                let disk = before.get(r.disk_index())?;
                let now = self.pick.picked.iter().position(|p| p == disk)?;
                let mut r = r.clone();
                r.disk = several.then(|| now as u32 + 1);
                Some(r)
            })
            .collect();
        if self.own_rows {
            self.parts.rows = moved;
            self.parts.cursor = self
                .parts
                .cursor
                .min(self.parts.rows.len().saturating_sub(1));
        } else {
            let kept = moved.into_iter().filter(|r| r.keep).collect();
            self.write_out_auto(hw);
            self.readd_kept(kept, hw);
        }
        if self.custom_for_keep && !self.any_kept() {
            self.form.set_choice(LAYOUT, 0);
            self.custom_for_keep = false;
        }
    }

    /// The Layout field changed: custom starts from what auto would make (unless the rows
    /// are the admin's own); auto keeps nothing, so it is refused while partitions are kept.
    pub(super) fn layout_changed(&mut self, hw: &Hardware) {
        if self.custom() {
            if !self.own_rows {
                self.write_out_auto(hw);
            }
        } else if self.any_kept() {
            self.form.set_choice(LAYOUT, 1);
            self.notice = Some(text::AUTO_KEEPS_NOTHING);
        } else {
            self.custom_for_keep = false;
        }
    }
}
