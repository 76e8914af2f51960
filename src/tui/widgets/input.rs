//! A one-line text editor: insert, delete, cursor movement, paste. Small enough that the
//! TUI needs no text-area crate (tui-textarea does not support ratatui 0.30).

use ratatui::style::{Modifier, Style};
use ratatui::text::Span;

use crate::tui::app::Action;

/// What an input did with an action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handled {
    /// Not an editing key: the caller may use it.
    No,
    /// Only the cursor moved.
    Moved,
    /// The text changed.
    Changed,
}

#[derive(Clone, Default, PartialEq)]
pub struct LineInput {
    text: String,
    /// Cursor position in characters, 0..=len.
    cursor: usize,
}

// Passwords live in inputs: never print their text in debug output.
impl std::fmt::Debug for LineInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "LineInput({} chars)", self.text.chars().count())
    }
}

impl LineInput {
    pub fn new(text: impl Into<String>) -> Self {
        let text = text.into();
        let cursor = text.chars().count();
        LineInput { text, cursor }
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Takes the text out and leaves the input empty (for passwords: the caller hashes and
    /// drops it, so no copy stays in the state).
    pub fn take(&mut self) -> String {
        self.cursor = 0;
        std::mem::take(&mut self.text)
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn insert(&mut self, s: &str) {
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, s);
        self.cursor += s.chars().count();
    }

    pub fn handle(&mut self, action: &Action) -> Handled {
        let len = self.text.chars().count();
        match action {
            Action::Char(c) if !c.is_control() => {
                self.insert(c.encode_utf8(&mut [0; 4]));
                Handled::Changed
            }
            // A pasted SSH key may come with a trailing newline or be wrapped: one line here.
            Action::Paste(s) => {
                let line: String = s
                    .split(['\n', '\r'])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .collect::<Vec<_>>()
                    .join(" ");
                self.insert(&line);
                Handled::Changed
            }
            Action::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                Handled::Changed
            }
            Action::Delete if self.cursor < len => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
                Handled::Changed
            }
            Action::Left if self.cursor > 0 => {
                self.cursor -= 1;
                Handled::Moved
            }
            Action::Right if self.cursor < len => {
                self.cursor += 1;
                Handled::Moved
            }
            Action::Home => {
                self.cursor = 0;
                Handled::Moved
            }
            Action::End => {
                self.cursor = len;
                Handled::Moved
            }
            // At either end, Left/Right/Backspace/Delete do nothing but stay in the input.
            Action::Backspace | Action::Delete | Action::Left | Action::Right => Handled::Moved,
            _ => Handled::No,
        }
    }

    /// The visible part of the text in `width` cells, with the cursor shown when focused;
    /// masked inputs show one `*` per character.
    pub fn spans(&self, masked: bool, focused: bool, width: usize) -> Vec<Span<'static>> {
        let chars: Vec<char> = if masked {
            vec!['*'; self.text.chars().count()]
        } else {
            self.text.chars().collect()
        };
        let width = width.max(2);
        // Scroll so that the cursor stays visible.
        let start = (self.cursor + 1).saturating_sub(width);
        let end = chars.len().min(start + width);
        let visible = |a: usize, b: usize| chars[a.min(b)..b].iter().collect::<String>();
        if !focused {
            // Unfocused: the beginning, which says what it is ("ssh-ed25519 AAAA...").
            let all: String = chars.iter().collect();
            return vec![Span::raw(crate::tui::ui::cut(&all, width))];
        }
        let cur = self.cursor.min(chars.len());
        let under = chars.get(cur).map_or(" ".to_string(), |c| c.to_string());
        vec![
            Span::raw(visible(start, cur)),
            Span::styled(under, Style::new().add_modifier(Modifier::REVERSED)),
            Span::raw(visible((cur + 1).min(end), end)),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(s: &str) -> LineInput {
        let mut i = LineInput::default();
        for c in s.chars() {
            i.handle(&Action::Char(c));
        }
        i
    }

    #[test]
    fn edits_in_the_middle_of_multibyte_text() {
        let mut i = typed("héllo");
        i.handle(&Action::Home);
        i.handle(&Action::Right);
        i.handle(&Action::Delete);
        assert_eq!(i.text(), "hllo");
        i.handle(&Action::Char('é'));
        i.handle(&Action::End);
        i.handle(&Action::Backspace);
        assert_eq!(i.text(), "héll");
    }

    #[test]
    fn paste_joins_lines_and_take_empties() {
        let mut i = LineInput::default();
        i.handle(&Action::Paste("ssh-ed25519 AAAA\nx@y\n".into()));
        assert_eq!(i.text(), "ssh-ed25519 AAAA x@y");
        assert_eq!(i.take(), "ssh-ed25519 AAAA x@y");
        assert!(i.is_empty());
    }

    #[test]
    fn masked_and_debug_never_show_the_text() {
        let i = typed("secret");
        let shown: String = i
            .spans(true, false, 20)
            .iter()
            .map(|s| s.content.to_string())
            .collect();
        assert_eq!(shown, "******");
        assert!(!format!("{i:?}").contains("secret"));
    }
}
