//! The disk list at the top of the disk screen: every disk with model, size, transport,
//! SSD/HDD, serial and state. Busy and read-only disks are listed but cannot be picked.
//! Several disks may be picked; the order of picking numbers them (disk 1 is the one the
//! firmware tries first).

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::answer::human_bytes;
use crate::probe::{Disk, Hardware};
use crate::tui::app::Action;
use crate::tui::widgets::input::Handled;
use crate::tui::{text, ui};

/// A disk may be picked when it can be written and nothing uses it but arrays or mappings
/// (an old system's, which the live system assembled): the install stops those first, or
/// the plan says why it cannot.
pub fn selectable(d: &Disk) -> bool {
    !d.read_only && d.only_held()
}

#[derive(Debug, Clone, Default)]
pub struct DiskPick {
    /// Indices into `Hardware::disks` of the disks that may be picked, in list order.
    pub free: Vec<usize>,
    /// The picked disks (indices into `Hardware::disks`), disk 1 first.
    pub picked: Vec<usize>,
    /// Where the cursor is in `free`.
    pub cursor: usize,
}

impl DiskPick {
    /// The free disks of `hw`, with `given` (the starting answer's disks) picked where they
    /// are free, else the first free disk.
    pub fn new(hw: &Hardware, given: &[usize]) -> DiskPick {
        let free: Vec<usize> = (0..hw.disks.len())
            .filter(|&i| selectable(&hw.disks[i]))
            .collect();
        let mut picked: Vec<usize> = given.iter().copied().filter(|i| free.contains(i)).collect();
        if picked.is_empty() {
            picked.extend(free.first());
        }
        let cursor = picked
            .first()
            .and_then(|p| free.iter().position(|f| f == p))
            .unwrap_or(0);
        DiskPick {
            free,
            picked,
            cursor,
        }
    }

    /// Keys for the list; `No` for what the form should handle (moving off the list).
    pub fn handle(&mut self, key: &Action) -> Handled {
        let n = self.free.len();
        match key {
            Action::Up if self.cursor > 0 => self.cursor -= 1,
            Action::Down if self.cursor + 1 < n => self.cursor += 1,
            Action::Char(' ') => {
                let Some(&d) = self.free.get(self.cursor) else {
                    return Handled::Moved;
                };
                match self.picked.iter().position(|&p| p == d) {
                    // One disk stays picked: there is always something to install onto.
                    Some(_) if self.picked.len() == 1 => return Handled::Moved,
                    Some(at) => {
                        self.picked.remove(at);
                    }
                    None => self.picked.push(d),
                }
                return Handled::Changed;
            }
            // Left/Right pick only the previous/next disk: one key to change a single pick.
            Action::Left | Action::Right if n > 0 => {
                self.cursor = if matches!(key, Action::Right) {
                    (self.cursor + 1) % n
                } else {
                    (self.cursor + n - 1) % n
                };
                self.picked = vec![self.free[self.cursor]];
                return Handled::Changed;
            }
            _ => return Handled::No,
        }
        Handled::Moved
    }

    /// The disk's number (1 for disk 1) when it is picked.
    pub fn number(&self, disk: usize) -> Option<usize> {
        self.picked.iter().position(|&p| p == disk).map(|i| i + 1)
    }

    /// The table of disks; `focused` shows the cursor.
    pub fn lines(&self, hw: &Hardware, focused: bool, width: usize) -> Vec<Line<'static>> {
        let head = format!(
            " {:<3} {:<8} {:<21} {:>9} {:<6} {:<3} {}",
            text::PICK_HEAD,
            "Device",
            "Model",
            "Size",
            "Bus",
            "",
            "Serial / state"
        );
        let mut lines = vec![Line::from(Span::styled(
            ui::cut(&head, width),
            if focused { ui::focus() } else { ui::heading() },
        ))];
        let under = self.free.get(self.cursor).copied();
        for (i, d) in hw.disks.iter().enumerate() {
            let here = focused && under == Some(i);
            let mark = match self.number(i) {
                Some(n) => format!("[{n}]"),
                None if selectable(d) => "[ ]".into(),
                None => "   ".into(),
            };
            let state = match d.usage.first() {
                Some(_) if selectable(d) => text::HELD.to_string(),
                Some(_) => text::BUSY.to_string(),
                None if d.read_only => text::READ_ONLY.into(),
                None => d.serial.clone().unwrap_or_default(),
            };
            let s = format!(
                "{}{mark} {:<8} {:<21} {:>9} {:<6} {:<3} {}",
                if here { ">" } else { " " },
                ui::cut(&d.name, 8),
                ui::cut(d.model.as_deref().unwrap_or("-"), 21),
                human_bytes(d.size_bytes),
                d.transport.name(),
                if d.is_ssd() { "SSD" } else { "HDD" },
                state
            );
            let style = if here {
                Style::new().add_modifier(Modifier::REVERSED)
            } else if selectable(d) {
                Style::new()
            } else {
                ui::dim()
            };
            lines.push(Line::from(Span::styled(ui::cut(&s, width), style)));
        }
        // Why the others cannot be picked, in full; what a held disk's install stops.
        for d in hw.disks.iter().filter(|d| !d.usage.is_empty()) {
            let why: Vec<String> = d.usage.iter().map(ToString::to_string).collect();
            let (line, style) = if selectable(d) {
                (text::held_stopped(&d.name, &why.join("; ")), Style::new())
            } else {
                (text::busy_because(&d.name, &why.join("; ")), ui::dim())
            };
            lines.push(Line::from(Span::styled(ui::cut(&line, width), style)));
        }
        if self.free.is_empty() {
            lines.push(Line::from(format!("  {}", text::NO_FREE_DISK)));
        }
        lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::Usage;

    #[test]
    fn space_picks_in_order_and_one_disk_stays_picked() {
        let hw = crate::tui::fake::hardware();
        let mut p = DiskPick::new(&hw, &[]);
        // nvme0n1, nvme1n1 and sda are free; the first is picked.
        assert_eq!((p.free.clone(), p.picked.clone()), (vec![0, 1, 2], vec![0]));
        p.handle(&Action::Down);
        p.handle(&Action::Down);
        assert_eq!(p.handle(&Action::Char(' ')), Handled::Changed);
        p.handle(&Action::Up);
        p.handle(&Action::Char(' '));
        assert_eq!(p.picked, vec![0, 2, 1]);
        assert_eq!(p.number(1), Some(3));
        p.handle(&Action::Up);
        p.handle(&Action::Char(' '));
        assert_eq!(p.picked, vec![2, 1], "sda is disk 1 now");
        p.handle(&Action::Down);
        p.handle(&Action::Char(' '));
        assert_eq!(p.picked, vec![2]);
        p.handle(&Action::Down);
        assert_eq!(p.handle(&Action::Char(' ')), Handled::Moved);
        assert_eq!(p.picked, vec![2], "the last disk cannot be unpicked");
        // Off the ends of the list: the form's keys.
        assert_eq!(p.handle(&Action::Down), Handled::No);
        assert_eq!(p.handle(&Action::Right), Handled::Changed);
        assert_eq!(
            p.picked,
            vec![0],
            "Right picks only the next disk (wrapping)"
        );
    }

    #[test]
    fn the_answers_own_disks_are_picked_where_free() {
        let hw = crate::tui::fake::hardware();
        // sdb holds the install media: never picked.
        let p = DiskPick::new(&hw, &[2, 3, 1]);
        assert_eq!(p.picked, vec![2, 1]);
        assert_eq!(p.free[p.cursor], 2);
        let text: Vec<String> = p
            .lines(&hw, true, 78)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(text[1].starts_with(" [ ] nvme0n1"), "{text:?}");
        assert!(text[2].starts_with(" [2] nvme1n1"), "{text:?}");
        assert!(text[3].starts_with(">[1] sda"), "{text:?}");
        assert!(
            text[4].starts_with("     sdb") && text[4].contains("BUSY"),
            "{text:?}"
        );
    }

    #[test]
    fn a_disk_an_old_array_holds_may_be_picked_and_says_it_is_stopped() {
        let mut hw = crate::tui::fake::hardware();
        let sda = hw
            .disks
            .iter()
            .position(|d| d.name == "sda")
            .expect("the fake machine has sda");
        hw.disks[sda].usage = vec![Usage::Held {
            device: "/dev/sda2".into(),
            holder: "md127".into(),
        }];
        let p = DiskPick::new(&hw, &[sda]);
        assert_eq!(p.picked, vec![sda]);
        let text: Vec<String> = p
            .lines(&hw, true, 100)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert!(
            text.iter()
                .any(|l| l.contains("[1] sda") && l.contains("HELD")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|l| l
                    == "  sda: /dev/sda2 is in use by md127; installing onto it stops that first"),
            "{text:?}"
        );
        // The install media stays out of reach.
        assert!(
            text.iter().any(|l| l.starts_with("  sdb cannot be used")),
            "{text:?}"
        );
    }
}
