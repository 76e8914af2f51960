//! Kickstart text to items: commands as shell-like words, and `%section ... %end` blocks
//! with their body kept verbatim. Each item keeps the line it starts on.

/// One command or section of a kickstart file.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// A command line (continuations joined), split into words.
    Command { line: usize, words: Vec<String> },
    /// `%name args...` up to `%end`; `body` is its text, each line with its number.
    Section {
        line: usize,
        header: Vec<String>,
        body: Vec<(usize, String)>,
        /// False when the file ended before `%end`.
        closed: bool,
    },
    /// A line the word splitter could not read (an unclosed quote).
    Bad { line: usize, why: String },
}

/// Sections whose body is not kickstart commands: everything up to `%end` is kept as is.
fn is_section(word: &str) -> bool {
    matches!(
        word,
        "%packages"
            | "%post"
            | "%pre"
            | "%pre-install"
            | "%onerror"
            | "%traceback"
            | "%addon"
            | "%anaconda"
    ) || word.starts_with("%addon")
}

/// Splits the kickstart text into items.
pub fn items(text: &str) -> Vec<Item> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let start = i + 1;
        // A trailing backslash continues a command on the next line, as in a shell.
        let mut joined = String::new();
        let mut raw = lines[i];
        while let Some(head) = raw.strip_suffix('\\') {
            joined.push_str(head);
            joined.push(' ');
            i += 1;
            raw = lines.get(i).copied().unwrap_or("");
        }
        joined.push_str(raw);
        i += 1;
        let words = match split(&joined) {
            Ok(w) => w,
            Err(why) => {
                out.push(Item::Bad { line: start, why });
                continue;
            }
        };
        let Some(first) = words.first() else { continue };
        if is_section(first) {
            let mut body = Vec::new();
            let mut closed = false;
            while i < lines.len() {
                let l = lines[i];
                i += 1;
                if l.trim() == "%end" {
                    closed = true;
                    break;
                }
                body.push((i, l.to_string()));
            }
            out.push(Item::Section {
                line: start,
                header: words,
                body,
                closed,
            });
        } else {
            out.push(Item::Command { line: start, words });
        }
    }
    out
}

/// Shell-like word splitting: whitespace separates, `'...'` and `"..."` quote (`\` escapes
/// inside double quotes and outside quotes), `#` at the start of a word begins a comment.
pub fn split(s: &str) -> Result<Vec<String>, String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    // Whether a word is being built: `""` is an empty word, not none.
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            '#' if !in_word => break,
            '\'' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err("a single quote is not closed".into()),
                    }
                }
            }
            '"' => {
                in_word = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => return Err("a double quote is not closed".into()),
                        },
                        Some(c) => cur.push(c),
                        None => return Err("a double quote is not closed".into()),
                    }
                }
            }
            '\\' => {
                in_word = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push(cur);
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_quotes_comments_and_continuations() {
        assert_eq!(
            split(r#"bootloader --append="console=ttyS0 quiet" 'a b' c\ d # note"#).unwrap(),
            vec!["bootloader", "--append=console=ttyS0 quiet", "a b", "c d"]
        );
        assert!(split("rootpw \"open").is_err());
        let it = items("# c\n\npart / \\\n  --size=1\n%post --nochroot\necho hi\n%end\nreboot\n");
        assert_eq!(
            it,
            vec![
                Item::Command {
                    line: 3,
                    words: vec!["part".into(), "/".into(), "--size=1".into()]
                },
                Item::Section {
                    line: 5,
                    header: vec!["%post".into(), "--nochroot".into()],
                    body: vec![(6, "echo hi".into())],
                    closed: true
                },
                Item::Command {
                    line: 8,
                    words: vec!["reboot".into()]
                },
            ]
        );
    }
}
