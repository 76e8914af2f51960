//! What is on the picked disks now, partition by partition, each erased or kept. A kept
//! partition is a row of the custom layout (`keep = true` with a `match`): it is neither
//! formatted nor resized, only mounted where the admin says. The plan decides whether it
//! can be kept (GPT, ext4/xfs/vfat, not / or /boot); its refusals are shown on its line.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use crate::answer::{ExistingPartition, Issue, PartitionSpec, human_bytes};
use crate::plan::keep_matches;
use crate::probe::{Disk, Hardware, Partition};
use crate::tui::widgets::input::LineInput;
use crate::tui::{text, ui};
use crate::units::MIB;

/// The keep list's own state: its cursor, and the mount point being edited.
#[derive(Debug, Clone, Default)]
pub struct KeepList {
    pub cursor: usize,
    pub edit: Option<LineInput>,
}

/// One partition on a picked disk.
#[derive(Debug, Clone, Copy)]
pub struct Existing<'h> {
    /// The disk's place among the picked disks (0 is disk 1).
    pub disk: usize,
    pub on: &'h Disk,
    pub part: &'h Partition,
}

/// Every partition of the picked disks, disk 1 first.
pub fn existing<'h>(hw: &'h Hardware, picked: &[usize]) -> Vec<Existing<'h>> {
    picked
        .iter()
        .enumerate()
        .filter_map(|(disk, &i)| hw.disks.get(i).map(|on| (disk, on)))
        .flat_map(|(disk, on)| {
            on.partitions
                .iter()
                .map(move |part| Existing { disk, on, part })
        })
        .collect()
}

/// The row of the layout that keeps `e`.
pub fn kept_row(rows: &[PartitionSpec], e: &Existing) -> Option<usize> {
    rows.iter().position(|r| {
        r.keep
            && r.disk_index() == e.disk
            && r.existing.as_ref().is_some_and(|m| keep_matches(m, e.part))
    })
}

/// How the answer finds a kept partition: its filesystem label when no other partition
/// of the disk has it (readable, and the same after the reinstall), else its partition
/// UUID (unique), else its number.
pub fn best_match(disk: &Disk, p: &Partition) -> ExistingPartition {
    let unique = |label: &str| {
        disk.partitions
            .iter()
            .filter(|q| q.label.as_deref() == Some(label))
            .count()
            == 1
    };
    if let Some(l) = p.label.as_deref().filter(|l| unique(l)) {
        return ExistingPartition {
            fs_label: Some(l.to_string()),
            ..Default::default()
        };
    }
    if let Some(u) = &p.part_uuid {
        return ExistingPartition {
            uuid: Some(u.clone()),
            ..Default::default()
        };
    }
    ExistingPartition {
        number: Some(p.number),
        ..Default::default()
    }
}

/// A mount point to start from: "/LABEL" for a label that reads like one ("home",
/// "srv"), else "/data"; never one the layout already uses.
pub fn suggest_mount(p: &Partition, rows: &[PartitionSpec]) -> String {
    let used = |m: &str| rows.iter().any(|r| r.mount.as_deref() == Some(m));
    let from_label = p.label.as_deref().filter(|l| {
        !l.is_empty()
            && l.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && !matches!(*l, "root" | "boot" | "efi" | "esp" | "swap")
    });
    if let Some(l) = from_label
        && !used(&format!("/{l}"))
    {
        return format!("/{l}");
    }
    (1..)
        .map(|n| {
            if n == 1 {
                "/data".to_string()
            } else {
                format!("/data{n}")
            }
        })
        .find(|m| !used(m))
        .unwrap_or_else(|| "/data".into())
}

/// Orders the rows of disk `d` so that its new partitions fill the largest free space
/// between its kept ones (the plan places them in row order around the kept partitions).
pub fn order_rows(rows: &mut [PartitionSpec], d: usize, disk: &Disk) {
    let slots: Vec<usize> = (0..rows.len())
        .filter(|&i| rows[i].disk_index() == d)
        .collect();
    let start_of = |r: &PartitionSpec| {
        r.existing.as_ref().and_then(|m| {
            disk.partitions
                .iter()
                .find(|p| keep_matches(m, p))
                .map(|p| (p.start_bytes, p.start_bytes.saturating_add(p.size_bytes)))
        })
    };
    let mut kept: Vec<(u64, u64, PartitionSpec)> = slots
        .iter()
        .filter(|&&i| rows[i].keep)
        .map(|&i| {
            let (a, b) = start_of(&rows[i]).unwrap_or((0, 0));
            (a, b, rows[i].clone())
        })
        .collect();
    kept.sort_by_key(|(a, _, _)| *a);
    let new: Vec<PartitionSpec> = slots
        .iter()
        .filter(|&&i| !rows[i].keep)
        .map(|&i| rows[i].clone())
        .collect();
    // The free space before each kept partition, and after the last.
    let mut gaps = Vec::new();
    let mut end = MIB;
    for (a, b, _) in &kept {
        gaps.push(a.saturating_sub(end));
        end = end.max(*b);
    }
    gaps.push(disk.size_bytes.saturating_sub(end));
    let at = (0..gaps.len()).max_by_key(|&g| gaps[g]).unwrap_or(0);
    let mut ordered: Vec<PartitionSpec> = Vec::with_capacity(slots.len());
    let mut kept = kept.into_iter().map(|(_, _, r)| r);
    ordered.extend(kept.by_ref().take(at));
    ordered.extend(new);
    ordered.extend(kept);
    for (slot, row) in slots.into_iter().zip(ordered) {
        rows[slot] = row;
    }
}

/// A partition's name in 10 columns: its node's name ("nvme0n1p2"), or for a long one
/// (a disk image's "partition 2 of disk.img") the disk's name and its number.
pub fn short_name(e: &Existing) -> String {
    let name = &e.part.name;
    if name.chars().count() <= 10 {
        return name.clone();
    }
    let n = format!("#{}", e.part.number);
    format!(
        "{}{n}",
        ui::cut(&e.on.name, 10usize.saturating_sub(n.len()))
    )
}

/// The list: each partition erased or kept (and where), the issues of a kept one under
/// it; disks with something other than partitions say what.
pub fn lines(
    list: &KeepList,
    entries: &[Existing],
    rows: &[PartitionSpec],
    issues: &[Issue],
    focused: bool,
    width: usize,
) -> Vec<Line<'static>> {
    let mut out = vec![Line::from(Span::styled(
        format!("  {}", text::KEEP_HEAD),
        if focused { ui::focus() } else { ui::heading() },
    ))];
    for (i, e) in entries.iter().enumerate() {
        let here = focused && i == list.cursor;
        let p = e.part;
        let row = kept_row(rows, e);
        let status = match row.and_then(|r| rows.get(r)) {
            Some(r) => text::kept_at(r.mount.as_deref().unwrap_or("-")),
            None => text::ERASED.into(),
        };
        let s = format!(
            "  {} {:<10} {:>9} {:<7} {:<16} {status}",
            if here { ">" } else { " " },
            short_name(e),
            human_bytes(p.size_bytes),
            ui::cut(p.fs_type.as_deref().unwrap_or("-"), 7),
            ui::cut(
                &p.label
                    .as_deref()
                    .map(|l| format!("\"{l}\""))
                    .unwrap_or_default(),
                16
            ),
        );
        let style = if here {
            Style::new().add_modifier(Modifier::REVERSED)
        } else if row.is_some() {
            Style::new()
        } else {
            ui::dim()
        };
        out.push(Line::from(Span::styled(ui::cut(&s, width), style)));
        if here && let Some(input) = &list.edit {
            let mut spans = vec![Span::raw(format!("      {}", text::EDIT_MOUNT))];
            spans.extend(input.spans(false, true, 20));
            out.push(Line::from(spans));
        }
        if let Some(r) = row {
            let key = format!("storage.partitions[{r}]");
            for issue in issues
                .iter()
                .filter(|x| crate::tui::widgets::form::owns(&key, &x.path))
            {
                out.extend(ui::issue_lines(issue, width));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::answer::Size;

    fn row(disk: Option<u32>, mount: &str, keep: Option<ExistingPartition>) -> PartitionSpec {
        PartitionSpec {
            disk,
            name: None,
            mount: Some(mount.into()),
            size: keep.is_none().then_some(Size::Rest),
            fs: None,
            label: None,
            options: None,
            keep: keep.is_some(),
            existing: keep,
        }
    }

    #[test]
    fn the_most_stable_way_to_find_a_partition() {
        let hw = crate::tui::fake::hardware();
        let sda = &hw.disks[2];
        // "data" is the only partition with that label; the swap partition has none.
        assert_eq!(
            best_match(sda, &sda.partitions[0]).fs_label.as_deref(),
            Some("data")
        );
        let swap = best_match(sda, &sda.partitions[1]);
        assert_eq!(swap.uuid, sda.partitions[1].part_uuid);
        let mut twice = sda.clone();
        twice.partitions[1].label = Some("data".into());
        assert!(best_match(&twice, &twice.partitions[0]).fs_label.is_none());
    }

    #[test]
    fn mount_points_come_from_labels_and_are_never_taken_twice() {
        let hw = crate::tui::fake::hardware();
        let data = &hw.disks[2].partitions[0];
        assert_eq!(suggest_mount(data, &[]), "/data");
        assert_eq!(suggest_mount(data, &[row(None, "/data", None)]), "/data2");
        assert_eq!(suggest_mount(&hw.disks[2].partitions[1], &[]), "/data");
    }

    /// The kept partition fills the start of sda; the new partitions go after it.
    #[test]
    fn new_partitions_go_into_the_largest_free_space() {
        let hw = crate::tui::fake::hardware();
        let sda = &hw.disks[2];
        let kept = best_match(sda, &sda.partitions[0]);
        let mut rows = vec![
            row(Some(1), "/data", Some(kept.clone())),
            row(Some(2), "/srv", None),
            row(Some(1), "/boot", None),
            row(Some(1), "/", None),
        ];
        order_rows(&mut rows, 0, sda);
        let mounts: Vec<&str> = rows.iter().filter_map(|r| r.mount.as_deref()).collect();
        assert_eq!(mounts, ["/data", "/srv", "/boot", "/"]);
        // With the kept partition at the end of the disk, they go before it.
        let mut end = sda.clone();
        end.partitions[0].start_bytes = 19 * crate::units::GIB;
        let mut rows = vec![row(None, "/boot", None), row(None, "/", None)];
        rows.push(row(None, "/data", Some(kept)));
        rows.rotate_right(1);
        order_rows(&mut rows, 0, &end);
        let mounts: Vec<&str> = rows.iter().filter_map(|r| r.mount.as_deref()).collect();
        assert_eq!(mounts, ["/boot", "/", "/data"]);
    }
}
