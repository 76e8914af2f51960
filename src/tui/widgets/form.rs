//! A column of labelled fields (text, choice, toggle) with one focused, and the validation
//! messages of each field printed right under it. Screens keep their fields in a `Form` and
//! read the values back into the `Answer`.

use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

use super::input::{Handled, LineInput};
use crate::answer::Issue;
use crate::tui::app::{Action, Nav};
use crate::tui::ui;

#[derive(Debug, Clone)]
pub enum Value {
    Text {
        input: LineInput,
        masked: bool,
    },
    Choice {
        options: Vec<String>,
        index: usize,
    },
    Toggle(bool),
    /// A place in the focus order that the screen draws and handles itself (a list).
    Zone,
}

#[derive(Debug, Clone)]
pub struct Field {
    pub label: &'static str,
    /// Answer key path whose issues are shown under this field ("system.hostname"); empty
    /// for none.
    pub key: String,
    pub value: Value,
    pub hidden: bool,
    /// A heading printed above the field.
    pub heading: Option<&'static str>,
    /// A short word after the value (a passphrase's strength, why an option is missing).
    pub note: Option<String>,
}

impl Field {
    pub fn text(label: &'static str, key: &str, text: &str) -> Field {
        Field::new(
            label,
            key,
            Value::Text {
                input: LineInput::new(text),
                masked: false,
            },
        )
    }

    pub fn secret(label: &'static str, key: &str) -> Field {
        Field::new(
            label,
            key,
            Value::Text {
                input: LineInput::default(),
                masked: true,
            },
        )
    }

    pub fn choice(label: &'static str, key: &str, options: &[&str], index: usize) -> Field {
        let options = options.iter().map(|s| s.to_string()).collect();
        Field::new(label, key, Value::Choice { options, index })
    }

    pub fn toggle(label: &'static str, key: &str, on: bool) -> Field {
        Field::new(label, key, Value::Toggle(on))
    }

    pub fn new(label: &'static str, key: &str, value: Value) -> Field {
        Field {
            label,
            key: key.to_string(),
            value,
            hidden: false,
            heading: None,
            note: None,
        }
    }

    pub fn under(mut self, heading: &'static str) -> Field {
        self.heading = Some(heading);
        self
    }
}

/// True when `issue` concerns the key `key` or something below it.
pub fn owns(key: &str, path: &str) -> bool {
    !key.is_empty()
        && (path == key
            || path
                .strip_prefix(key)
                .is_some_and(|r| r.starts_with('.') || r.starts_with('[')))
}

#[derive(Debug, Clone, Default)]
pub struct Form {
    pub fields: Vec<Field>,
    pub focus: usize,
}

const LABEL: usize = 18;

impl Form {
    pub fn new(fields: Vec<Field>) -> Form {
        Form { fields, focus: 0 }
    }

    /// Moves to the next (or previous) visible field; focus does not wrap around.
    fn step(&mut self, forward: bool) -> bool {
        let next = if forward {
            (self.focus + 1..self.fields.len()).find(|&i| !self.fields[i].hidden)
        } else {
            (0..self.focus).rev().find(|&i| !self.fields[i].hidden)
        };
        match next {
            Some(i) => {
                self.focus = i;
                true
            }
            None => false,
        }
    }

    /// Moves focus off hidden fields (after the screen hid some).
    pub fn settle(&mut self) {
        if self.fields.get(self.focus).is_some_and(|f| f.hidden) && !self.step(false) {
            self.step(true);
        }
    }

    /// A form screen's keys: Enter and Esc move between screens, the rest edit the form.
    pub fn navigate_or_edit(&mut self, action: Action) -> Option<Nav> {
        match action {
            Action::Enter => Some(Nav::Forward),
            Action::Esc => Some(Nav::Back),
            k => {
                self.handle(&k);
                None
            }
        }
    }

    pub fn handle(&mut self, action: &Action) -> Handled {
        let Some(field) = self.fields.get_mut(self.focus) else {
            return Handled::No;
        };
        match (&mut field.value, action) {
            (_, Action::Tab | Action::Down) => return self.moved(true),
            (_, Action::BackTab | Action::Up) => return self.moved(false),
            (Value::Text { input, .. }, a) => return input.handle(a),
            (Value::Choice { options, index }, Action::Right | Action::Char(' ')) => {
                *index = (*index + 1) % options.len().max(1);
            }
            (Value::Choice { options, index }, Action::Left) => {
                *index = (*index + options.len().max(1) - 1) % options.len().max(1);
            }
            (Value::Toggle(on), Action::Left | Action::Right | Action::Char(' ')) => *on = !*on,
            _ => return Handled::No,
        }
        Handled::Changed
    }

    fn moved(&mut self, forward: bool) -> Handled {
        if self.step(forward) {
            Handled::Moved
        } else {
            Handled::No
        }
    }

    /// True when the focused field takes typed characters (so `q` is text, not quit).
    pub fn typing(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.value),
            Some(Value::Text { .. })
        )
    }

    pub fn focused_zone(&self) -> bool {
        matches!(
            self.fields.get(self.focus).map(|f| &f.value),
            Some(Value::Zone)
        )
    }

    pub fn text(&self, i: usize) -> &str {
        match self.fields.get(i).map(|f| &f.value) {
            Some(Value::Text { input, .. }) => input.text(),
            _ => "",
        }
    }

    pub fn input_mut(&mut self, i: usize) -> Option<&mut LineInput> {
        match self.fields.get_mut(i).map(|f| &mut f.value) {
            Some(Value::Text { input, .. }) => Some(input),
            _ => None,
        }
    }

    pub fn choice(&self, i: usize) -> usize {
        match self.fields.get(i).map(|f| &f.value) {
            Some(Value::Choice { index, .. }) => *index,
            _ => 0,
        }
    }

    pub fn set_choice(&mut self, i: usize, to: usize) {
        if let Some(Value::Choice { index, options }) = self.fields.get_mut(i).map(|f| &mut f.value)
        {
            *index = to.min(options.len().saturating_sub(1));
        }
    }

    pub fn toggle(&self, i: usize) -> bool {
        matches!(
            self.fields.get(i).map(|f| &f.value),
            Some(Value::Toggle(true))
        )
    }

    pub fn hide(&mut self, i: usize, hidden: bool) {
        if let Some(f) = self.fields.get_mut(i) {
            f.hidden = hidden;
        }
    }

    /// The issues no visible field shows (printed by the screen with their key path).
    pub fn unclaimed<'i>(&self, issues: &'i [Issue]) -> Vec<&'i Issue> {
        issues
            .iter()
            .filter(|i| {
                !self
                    .fields
                    .iter()
                    .any(|f| !f.hidden && owns(&f.key, &i.path))
            })
            .collect()
    }

    /// The lines of fields `range`, each followed by its issues; `zone` draws Zone fields.
    pub fn lines(
        &self,
        range: std::ops::Range<usize>,
        issues: &[Issue],
        width: usize,
        zone: &mut dyn FnMut(usize, bool, &mut Vec<Line<'static>>),
    ) -> Vec<Line<'static>> {
        self.lines_and_focus(range, issues, width, zone).0
    }

    /// `lines`, and where among them the focused field begins and ends (a screen taller
    /// than the terminal scrolls to keep it in view).
    pub fn lines_and_focus(
        &self,
        range: std::ops::Range<usize>,
        issues: &[Issue],
        width: usize,
        zone: &mut dyn FnMut(usize, bool, &mut Vec<Line<'static>>),
    ) -> (Vec<Line<'static>>, std::ops::Range<usize>) {
        let mut out = Vec::new();
        let mut focus = 0..0;
        // Each issue under one field: the visible one with the most specific key.
        let owner: Vec<Option<usize>> = issues
            .iter()
            .map(|x| {
                (0..self.fields.len())
                    .filter(|&i| !self.fields[i].hidden && owns(&self.fields[i].key, &x.path))
                    .max_by_key(|&i| self.fields[i].key.len())
            })
            .collect();
        for (i, f) in self
            .fields
            .iter()
            .enumerate()
            .take(range.end)
            .skip(range.start)
        {
            if f.hidden {
                continue;
            }
            let begins = out.len();
            if let Some(h) = f.heading {
                out.push(Line::from(Span::styled(h, ui::heading())));
            }
            let focused = i == self.focus;
            let marker = if focused { "> " } else { "  " };
            let label = format!("{marker}{:.<w$}: ", f.label, w = LABEL);
            let note = f.note.as_deref().map(|n| format!("  {n}"));
            let room = width
                .saturating_sub(label.chars().count() + 1)
                .saturating_sub(note.as_deref().map_or(0, |n| n.chars().count()));
            let mut spans = vec![Span::styled(
                label,
                if focused { ui::focus() } else { Style::new() },
            )];
            match &f.value {
                Value::Text { input, masked } => spans.extend(input.spans(*masked, focused, room)),
                Value::Choice { options, index } => {
                    let s = format!("< {} >", options.get(*index).map_or("", String::as_str));
                    spans.push(styled(s, focused));
                }
                Value::Toggle(on) => {
                    let s = if *on { "[x] yes" } else { "[ ] no" };
                    spans.push(styled(s.to_string(), focused));
                }
                Value::Zone => zone(i, focused, &mut out),
            }
            if let Some(n) = note {
                spans.push(Span::styled(n, ui::dim()));
            }
            if !matches!(f.value, Value::Zone) {
                out.push(Line::from(spans));
            }
            for (issue, _) in issues.iter().zip(&owner).filter(|(_, o)| **o == Some(i)) {
                out.extend(ui::issue_lines(issue, width));
            }
            if focused {
                focus = begins..out.len();
            }
        }
        (out, focus)
    }
}

fn styled(s: String, focused: bool) -> Span<'static> {
    if focused {
        Span::styled(s, Style::new().add_modifier(Modifier::REVERSED))
    } else {
        Span::raw(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_paths_own_their_children_only() {
        assert!(owns("system.hostname", "system.hostname"));
        assert!(owns("users[0]", "users[0].password.hash"));
        assert!(owns("network.interfaces", "network.interfaces[1].dns[0]"));
        assert!(!owns("users[0]", "users[01]"));
        assert!(!owns("system.host", "system.hostname"));
        assert!(!owns("", "version"));
    }

    /// An issue shows once, under the field whose key says most about it.
    #[test]
    fn issues_go_under_the_most_specific_field() {
        let f = Form::new(vec![
            Field::toggle("a", "storage.encryption", true),
            Field::toggle("b", "storage.encryption.tpm2", true),
        ]);
        let issues = vec![
            Issue::new("storage.encryption.tpm2", "tpm"),
            Issue::new("storage.encryption", "general"),
        ];
        let text: Vec<String> = f
            .lines(0..2, &issues, 60, &mut |_, _, _| {})
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(text.len(), 4, "{text:?}");
        assert!(
            text[1].contains("general") && text[3].contains("tpm"),
            "{text:?}"
        );
    }

    #[test]
    fn focus_skips_hidden_fields_and_does_not_wrap() {
        let mut f = Form::new(vec![
            Field::toggle("a", "", true),
            Field::toggle("b", "", true),
            Field::toggle("c", "", true),
        ]);
        f.hide(1, true);
        assert_eq!(f.handle(&Action::Tab), Handled::Moved);
        assert_eq!(f.focus, 2);
        assert_eq!(f.handle(&Action::Tab), Handled::No);
        assert_eq!(f.handle(&Action::BackTab), Handled::Moved);
        assert_eq!(f.focus, 0);
        assert_eq!(f.handle(&Action::Char(' ')), Handled::Changed);
        assert!(!f.toggle(0));
    }
}
