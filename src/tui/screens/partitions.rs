//! The custom layout editor on the disk screen: a list of partitions in disk order (with
//! their disk when there are several), with add, remove, resize (+/- 1 GiB), filesystem
//! and an inline editor for mount and size. A partition that an array, a volume group or
//! a container is made on shows what uses it; a kept one shows what it is now.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::answer::{BIOS_BOOT, ESP_MOUNT, Formattable, FsType, PartitionSpec, SWAP, Size};
use crate::probe::Firmware;
use crate::tui::app::Action;
use crate::tui::widgets::input::{Handled, LineInput};
use crate::tui::{text, ui};
use crate::units::GIB;

#[derive(Debug, Clone, Default)]
pub struct PartEditor {
    pub rows: Vec<PartitionSpec>,
    pub cursor: usize,
    pub edit: Option<RowEdit>,
}

/// What the editor shows about rows beyond their own fields.
pub struct RowInfo<'a> {
    /// Show each row's disk.
    pub disks: bool,
    /// What is made on a named partition ("array boot", "LVM azurelinux").
    pub user: &'a dyn Fn(&str) -> Option<String>,
    /// What a kept row is now ("sda1 ext4 1.9 TiB").
    pub kept: &'a dyn Fn(usize) -> Option<String>,
}

/// Editing one row's mount point and size.
#[derive(Debug, Clone)]
pub struct RowEdit {
    pub mount: LineInput,
    pub size: LineInput,
    pub on_size: bool,
    pub error: Option<String>,
}

fn part(mount: &str, size: Size, fs: Option<FsType>) -> PartitionSpec {
    PartitionSpec {
        disk: None,
        name: None,
        mount: Some(mount.into()),
        size: Some(size),
        fs,
        label: None,
        options: None,
        keep: false,
        existing: None,
    }
}

/// The starting point of a custom layout: what the auto layout would make.
pub fn defaults(firmware: Firmware) -> Vec<PartitionSpec> {
    let first = match firmware {
        Firmware::Uefi => part(ESP_MOUNT, Size::Bytes(600 << 20), Some(FsType::Vfat)),
        Firmware::Bios => part(BIOS_BOOT, Size::Bytes(1 << 20), Some(FsType::None)),
    };
    vec![
        first,
        part("/boot", Size::Bytes(GIB), Some(FsType::Ext4)),
        part(SWAP, Size::Bytes(4 * GIB), Some(FsType::Swap)),
        part("/", Size::Rest, Some(FsType::Ext4)),
    ]
}

const FS_CYCLE: [Option<FsType>; 6] = [
    None,
    Some(FsType::Xfs),
    Some(FsType::Ext4),
    Some(FsType::Vfat),
    Some(FsType::Swap),
    Some(FsType::None),
];

impl PartEditor {
    pub fn typing(&self) -> bool {
        self.edit.is_some()
    }

    /// Keys for the list; `No` for what the form should handle (moving off the list).
    pub fn handle(&mut self, key: &Action) -> Handled {
        if let Some(edit) = &mut self.edit {
            return match key {
                Action::Esc => {
                    self.edit = None;
                    Handled::Moved
                }
                Action::Tab | Action::BackTab => {
                    edit.on_size = !edit.on_size;
                    Handled::Moved
                }
                Action::Enter => self.apply_edit(),
                k => {
                    let input = if edit.on_size {
                        &mut edit.size
                    } else {
                        &mut edit.mount
                    };
                    input.handle(k);
                    Handled::Moved
                }
            };
        }
        let n = self.rows.len();
        match key {
            Action::Up if self.cursor > 0 => self.cursor -= 1,
            Action::Down if self.cursor + 1 < n => self.cursor += 1,
            Action::Char('a') => {
                // On the disk of the row it follows.
                let disk = self.rows.get(self.cursor).and_then(|r| r.disk);
                let at = if n == 0 { 0 } else { self.cursor + 1 };
                // Before a trailing "rest" partition: only the last one may be "rest".
                let at = if at == n && self.rows.last().is_some_and(|r| r.size == Some(Size::Rest))
                {
                    n - 1
                } else {
                    at
                };
                let mut new = part("/data", Size::Bytes(10 * GIB), None);
                new.disk = disk;
                self.rows.insert(at, new);
                self.cursor = at;
                self.open();
                return Handled::Changed;
            }
            Action::Char('d') | Action::Delete if n > 0 => {
                self.rows.remove(self.cursor);
                self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
                return Handled::Changed;
            }
            Action::Char(c @ ('+' | '-')) => {
                let Some(row) = self.rows.get_mut(self.cursor) else {
                    return Handled::Moved;
                };
                if let Some(Size::Bytes(b)) = row.size {
                    let b = if *c == '+' {
                        b.saturating_add(GIB)
                    } else {
                        b.saturating_sub(GIB)
                    };
                    // Whole GiB steps; never below 1 MiB.
                    row.size = Some(Size::Bytes((b / GIB * GIB).max(1 << 20)));
                    return Handled::Changed;
                }
            }
            Action::Char('f') => {
                // A kept partition keeps its filesystem.
                let Some(row) = self.rows.get_mut(self.cursor).filter(|r| !r.keep) else {
                    return Handled::Moved;
                };
                let i = FS_CYCLE.iter().position(|f| *f == row.fs).unwrap_or(0);
                row.fs = FS_CYCLE[(i + 1) % FS_CYCLE.len()];
                return Handled::Changed;
            }
            Action::Char('e') if n > 0 => self.open(),
            _ => return Handled::No,
        }
        Handled::Moved
    }

    fn open(&mut self) {
        if let Some(row) = self.rows.get(self.cursor) {
            self.edit = Some(RowEdit {
                mount: LineInput::new(row.mount.clone().unwrap_or_default()),
                size: LineInput::new(row.size.map(|s| s.to_string()).unwrap_or_default()),
                on_size: false,
                error: None,
            });
        }
    }

    fn apply_edit(&mut self) -> Handled {
        let (Some(edit), Some(row)) = (&mut self.edit, self.rows.get_mut(self.cursor)) else {
            self.edit = None;
            return Handled::Moved;
        };
        // A kept partition keeps its size: only its mount point is edited.
        let size = if row.keep {
            Ok(row.size)
        } else {
            edit.size.text().parse::<Size>().map(Some)
        };
        match size {
            Ok(size) => {
                row.size = size;
                let mount = edit.mount.text().trim();
                row.mount = (!mount.is_empty()).then(|| mount.to_string());
                self.edit = None;
                Handled::Changed
            }
            Err(e) => {
                edit.error = Some(e.to_string());
                edit.on_size = true;
                Handled::Moved
            }
        }
    }

    pub fn lines(&self, focused: bool, width: usize, info: &RowInfo) -> Vec<Line<'static>> {
        let mut out = vec![Line::from(Span::styled(
            format!(
                "  {}",
                if info.disks {
                    text::PARTS_HEAD_DISKS
                } else {
                    text::PARTS_HEAD
                }
            ),
            if focused { ui::focus() } else { ui::heading() },
        ))];
        for (i, r) in self.rows.iter().enumerate() {
            let mark = if focused && i == self.cursor {
                ">"
            } else {
                " "
            };
            let disk = if info.disks {
                format!("d{} ", r.disk_index() + 1)
            } else {
                String::new()
            };
            // A partition without a mount point is named by what is made on it.
            let what = match (&r.mount, &r.name) {
                (Some(m), _) => m.clone(),
                (None, Some(n)) => format!("({n})"),
                (None, None) => "-".into(),
            };
            let tail = if r.keep {
                text::kept_row((info.kept)(i).as_deref())
            } else {
                match r.name.as_deref().and_then(|n| (info.user)(n)) {
                    Some(u) if r.mount.is_none() => format!("-> {u}"),
                    _ => r.fs_type().as_str().to_string(),
                }
            };
            let s = format!(
                "  {mark} {:>2}  {disk}{:<14} {:<10} {tail}",
                i + 1,
                ui::cut(&what, 14),
                match r.size {
                    _ if r.keep => text::KEPT.to_string(),
                    Some(size) => size.to_string(),
                    None => "-".to_string(),
                },
            );
            let style = if focused && i == self.cursor {
                Style::new().add_modifier(Modifier::REVERSED)
            } else {
                Style::new()
            };
            out.push(Line::from(Span::styled(ui::cut(&s, width), style)));
        }
        if let Some(e) = &self.edit {
            let mut spans = vec![Span::raw(format!("    {}", text::EDIT_MOUNT))];
            spans.extend(e.mount.spans(false, !e.on_size, 16));
            spans.push(Span::raw(format!("  {}", text::EDIT_SIZE)));
            spans.extend(e.size.spans(false, e.on_size, 10));
            out.push(Line::from(spans));
            if let Some(err) = &e.error {
                out.push(Line::from(Span::styled(
                    ui::cut(&format!("    ! {err}"), width),
                    ui::error(),
                )));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn add_resize_fs_edit_remove() {
        let mut e = PartEditor {
            rows: defaults(Firmware::Uefi),
            ..Default::default()
        };
        e.cursor = 3;
        e.handle(&Action::Char('a'));
        // Inserted before the "rest" root partition, editor open.
        assert_eq!(e.cursor, 3);
        assert!(e.edit.is_some());
        for _ in 0..5 {
            e.handle(&Action::Backspace);
        }
        for c in "/srv".chars() {
            e.handle(&Action::Char(c));
        }
        e.handle(&Action::Tab);
        e.handle(&Action::End);
        e.handle(&Action::Char('x'));
        assert_eq!(e.handle(&Action::Enter), Handled::Moved);
        assert!(e.edit.as_ref().is_some_and(|x| x.error.is_some()));
        e.handle(&Action::Backspace);
        assert_eq!(e.handle(&Action::Enter), Handled::Changed);
        assert_eq!(e.rows[3].mount.as_deref(), Some("/srv"));
        e.handle(&Action::Char('+'));
        assert_eq!(e.rows[3].size, Some(Size::Bytes(11 * GIB)));
        e.handle(&Action::Char('f'));
        assert_eq!(e.rows[3].fs, Some(FsType::Xfs));
        e.handle(&Action::Char('d'));
        assert_eq!(e.rows.len(), 4);
        assert_eq!(e.rows[3].mount.as_deref(), Some("/"));
    }

    /// A kept partition (from an answer) shows as kept; its size and filesystem stay its
    /// own, its mount point can change.
    #[test]
    fn a_kept_row_keeps_its_size_and_filesystem() {
        let mut kept = part("/home", Size::Rest, None);
        kept.size = None;
        kept.keep = true;
        kept.existing = Some(crate::answer::ExistingPartition {
            fs_label: Some("home".into()),
            ..Default::default()
        });
        let mut e = PartEditor {
            rows: vec![part("/", Size::Rest, None), kept.clone()],
            ..Default::default()
        };
        e.cursor = 1;
        let info = RowInfo {
            disks: false,
            user: &|_| None,
            kept: &|_| None,
        };
        let text: Vec<String> = e
            .lines(true, 80, &info)
            .iter()
            .map(|l| l.to_string())
            .collect();
        assert!(
            text[2].contains("/home") && text[2].contains("kept") && text[2].contains("as is"),
            "{text:?}"
        );
        e.handle(&Action::Char('+'));
        e.handle(&Action::Char('f'));
        assert_eq!(e.rows[1], kept);
        e.handle(&Action::Char('e'));
        for _ in 0.."/home".len() {
            e.handle(&Action::Backspace);
        }
        for c in "/srv".chars() {
            e.handle(&Action::Char(c));
        }
        assert_eq!(e.handle(&Action::Enter), Handled::Changed);
        assert_eq!(e.rows[1].mount.as_deref(), Some("/srv"));
        assert_eq!(
            (e.rows[1].size, e.rows[1].fs, e.rows[1].keep),
            (None, None, true)
        );
    }
}
