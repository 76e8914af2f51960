//! The software screen: comps groups and extra packages from the verified repository
//! metadata, with a search and the installed sizes.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use crate::answer::{Answer, human_bytes};
use crate::repo::{Group, GroupPackageKind, Package, RepoIndex};
use crate::tui::app::{Action, App, Nav, Screen};
use crate::tui::widgets::input::{Handled, LineInput};
use crate::tui::{text, ui};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Zone {
    #[default]
    Groups,
    Search,
    Packages,
}

#[derive(Debug, Clone, Default)]
pub struct SoftwareState {
    pub zone: Zone,
    pub group_cursor: usize,
    pub pkg_cursor: usize,
    pub search: LineInput,
    /// `packages.groups`: None keeps the default (core, when the repository has comps).
    pub groups: Option<Vec<String>>,
    pub install: Vec<String>,
}

impl SoftwareState {
    pub fn new(a: &Answer) -> SoftwareState {
        SoftwareState {
            groups: a.packages.groups.clone(),
            install: a.packages.install.clone(),
            ..Default::default()
        }
    }

    pub fn typing(&self) -> bool {
        self.zone == Zone::Search
    }

    pub fn reset_cursor(&mut self) {
        self.group_cursor = 0;
        self.pkg_cursor = 0;
    }

    /// The groups that will be installed, the default spelled out.
    fn chosen_groups(&self, groups: &[&Group]) -> Vec<String> {
        self.groups.clone().unwrap_or_else(|| {
            groups
                .iter()
                .filter(|g| g.id == "core")
                .map(|g| g.id.clone())
                .collect()
        })
    }
}

/// Every group of every repository, first one of each id.
fn groups(index: &RepoIndex) -> Vec<&Group> {
    let mut v: Vec<&Group> = Vec::new();
    for g in index.repos.iter().flat_map(|r| &r.groups) {
        if !v.iter().any(|x| x.id == g.id) {
            v.push(g);
        }
    }
    v
}

/// One package per name (the first repository's), sorted, matching the search.
fn packages<'i>(index: &'i RepoIndex, search: &str) -> Vec<&'i Package> {
    let needle = search.trim().to_lowercase();
    let mut v: Vec<&Package> = Vec::new();
    for p in index.repos.iter().flat_map(|r| &r.packages) {
        if p.name.to_lowercase().contains(&needle) && !v.iter().any(|x| x.name == p.name) {
            v.push(p);
        }
    }
    v.sort_by(|a, b| a.name.cmp(&b.name));
    v
}

fn installed(index: &RepoIndex, name: &str) -> Option<u64> {
    index
        .repos
        .iter()
        .flat_map(|r| &r.packages)
        .find(|p| p.name == name)
        .map(|p| p.size_installed)
}

/// What a group installs by default (mandatory and default packages), in bytes.
fn group_size(index: &RepoIndex, g: &Group) -> u64 {
    g.packages
        .iter()
        .filter(|p| {
            matches!(
                p.kind,
                GroupPackageKind::Mandatory | GroupPackageKind::Default
            )
        })
        .filter_map(|p| installed(index, &p.name))
        .sum()
}

fn toggle(list: &mut Vec<String>, name: &str) {
    match list.iter().position(|x| x == name) {
        Some(i) => {
            list.remove(i);
        }
        None => list.push(name.to_string()),
    }
}

impl SoftwareState {
    /// `index`: the verified repositories, once loaded.
    pub fn update(&mut self, key: Action, index: Option<&RepoIndex>) -> Option<Nav> {
        if self.zone == Zone::Search && self.search.handle(&key) != Handled::No {
            self.pkg_cursor = 0;
            return None;
        }
        let ng = index.map_or(0, |i| groups(i).len());
        let np = index.map_or(0, |i| packages(i, self.search.text()).len());
        match (self.zone, key) {
            (_, Action::Enter) => return Some(Nav::Forward),
            (_, Action::Esc) => return Some(Nav::Back),
            (Zone::Groups, Action::Tab) => self.zone = Zone::Search,
            (Zone::Search, Action::Tab) | (Zone::Search, Action::Down) => {
                self.zone = Zone::Packages
            }
            (Zone::Packages, Action::BackTab)
            | (Zone::Search, Action::BackTab)
            | (Zone::Search, Action::Up) => {
                self.zone = if self.zone == Zone::Search {
                    Zone::Groups
                } else {
                    Zone::Search
                }
            }
            (Zone::Groups, Action::Down) if self.group_cursor + 1 < ng => self.group_cursor += 1,
            (Zone::Groups, Action::Down) => self.zone = Zone::Search,
            (Zone::Groups, Action::Up) => self.group_cursor = self.group_cursor.saturating_sub(1),
            (Zone::Packages, Action::Down) if self.pkg_cursor + 1 < np => self.pkg_cursor += 1,
            (Zone::Packages, Action::Up) if self.pkg_cursor > 0 => self.pkg_cursor -= 1,
            (Zone::Packages, Action::Up) => self.zone = Zone::Search,
            (Zone::Packages, Action::PageDown) => {
                self.pkg_cursor = (self.pkg_cursor + 8).min(np.saturating_sub(1))
            }
            (Zone::Packages, Action::PageUp) => self.pkg_cursor = self.pkg_cursor.saturating_sub(8),
            (_, Action::Char('/')) => self.zone = Zone::Search,
            (Zone::Groups, Action::Char(' ')) => {
                if let Some(index) = index {
                    let all = groups(index);
                    let mut chosen = self.chosen_groups(&all);
                    if let Some(g) = all.get(self.group_cursor) {
                        toggle(&mut chosen, &g.id);
                        self.groups = Some(chosen);
                    }
                }
            }
            (Zone::Packages, Action::Char(' ')) => {
                if let Some(p) = index.and_then(|i| {
                    packages(i, self.search.text())
                        .get(self.pkg_cursor)
                        .copied()
                }) {
                    toggle(&mut self.install, &p.name);
                }
            }
            _ => {}
        }
        None
    }

    /// Fields -> `packages.groups` and `packages.install`.
    /// The choices -> `packages.groups` and `packages.install`.
    pub fn apply(&self, answer: &mut Answer) {
        answer.packages.groups = self.groups.clone();
        answer.packages.install = self.install.clone();
    }
}

fn row(focused: bool, s: String) -> Line<'static> {
    let style = if focused {
        Style::new().add_modifier(Modifier::REVERSED)
    } else {
        Style::new()
    };
    Line::from(Span::styled(s, style))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let st = &app.software;
    let w = area.width.saturating_sub(2) as usize;
    let h = area.height.saturating_sub(2) as usize;
    let block = ui::block(app, text::SOFTWARE_TITLE);
    let index = match &app.repos {
        None => return frame.render_widget(Paragraph::new(text::LOADING_REPOS).block(block), area),
        Some(Err(e)) => {
            let mut lines = vec![Line::from(Span::styled(text::REPOS_FAILED, ui::error()))];
            lines.extend(ui::wrap(e, w).into_iter().map(Line::from));
            return frame.render_widget(Paragraph::new(lines).block(block), area);
        }
        Some(Ok(i)) => i,
    };
    let all = groups(index);
    let chosen = st.chosen_groups(&all);
    let heading = |s: &str, on: bool| {
        Line::from(Span::styled(
            format!("  {s}"),
            if on { ui::focus() } else { ui::heading() },
        ))
    };
    let mut lines = vec![heading(text::GROUPS_HEAD, st.zone == Zone::Groups)];
    for (i, g) in all.iter().enumerate() {
        let on = if chosen.contains(&g.id) { "[x]" } else { "[ ]" };
        let s = format!(
            "  {on} {:<14} {:<28} {:>3} pkgs {:>10}",
            ui::cut(&g.id, 14),
            ui::cut(&g.name, 28),
            g.packages.len(),
            human_bytes(group_size(index, g))
        );
        lines.push(row(
            st.zone == Zone::Groups && i == st.group_cursor,
            ui::cut(&s, w),
        ));
    }
    let mut search = vec![Span::styled(
        format!(
            "{}{:.<16}: ",
            if st.zone == Zone::Search { "> " } else { "  " },
            text::F_SEARCH
        ),
        if st.zone == Zone::Search {
            ui::focus()
        } else {
            Style::new()
        },
    )];
    search.extend(st.search.spans(false, st.zone == Zone::Search, 30));
    lines.push(Line::from(search));
    let found = packages(index, st.search.text());
    lines.push(heading(
        &text::packages_head(found.len()),
        st.zone == Zone::Packages,
    ));
    // The package list gets what the rest leaves; it scrolls with the cursor.
    let issues = app.issues_for(Screen::Software);
    let room = h.saturating_sub(lines.len() + 2 + issues.len() * 2).max(3);
    let start = st.pkg_cursor.saturating_sub(room - 1);
    for (i, p) in found.iter().enumerate().skip(start).take(room) {
        let on = if st.install.contains(&p.name) {
            "[x]"
        } else {
            "[ ]"
        };
        let s = format!(
            "  {on} {:<24} {:<22} {:>10}",
            ui::cut(&p.name, 24),
            ui::cut(&format!("{}-{}", p.version, p.release), 22),
            human_bytes(p.size_installed)
        );
        lines.push(row(
            st.zone == Zone::Packages && i == st.pkg_cursor,
            ui::cut(&s, w),
        ));
    }
    let extra: u64 = st.install.iter().filter_map(|n| installed(index, n)).sum();
    let chosen_line = text::chosen(&st.install, &human_bytes(extra));
    lines.push(Line::from(ui::cut(&chosen_line, w)));
    for i in &issues {
        lines.extend(ui::loose_issue_lines(i, w));
    }
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
