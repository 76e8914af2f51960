//! A flat view of an XML document for the small state machines that read repomd, primary and
//! comps: start tags (local name, attributes), end tags, and text with entities resolved.
//! Namespace prefixes are dropped (`rpm:entry` is `entry`): the formats do not reuse names
//! across namespaces in ways that matter here.

use quick_xml::events::Event;
use quick_xml::reader::Reader;

pub(super) enum Ev<'a> {
    Start {
        name: &'a str,
        attrs: &'a [(String, String)],
    },
    End {
        name: &'a str,
    },
    /// The text between two tags (trimmed, entities resolved); never empty.
    Text(&'a str),
}

/// Looks up an attribute by name.
pub(super) fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Walks `bytes`, calling `f` for each event. Errors carry the byte offset.
pub(super) fn walk(bytes: &[u8], mut f: impl FnMut(Ev<'_>)) -> Result<(), String> {
    let mut reader = Reader::from_reader(bytes);
    let mut text = String::new();
    let mut attrs: Vec<(String, String)> = Vec::new();
    let at = |r: &Reader<&[u8]>, e: &dyn std::fmt::Display| {
        format!("at byte {}: {e}", r.buffer_position())
    };
    loop {
        let ev = reader.read_event().map_err(|e| at(&reader, &e))?;
        let (start, end) = match &ev {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            Event::End(_) | Event::Eof => (None, true),
            Event::Text(t) => {
                text.push_str(&t.xml10_content().map_err(|e| at(&reader, &e))?);
                continue;
            }
            Event::CData(t) => {
                text.push_str(&t.decode().map_err(|e| at(&reader, &e))?);
                continue;
            }
            Event::GeneralRef(r) => {
                let name = r.decode().map_err(|e| at(&reader, &e))?;
                text.push_str(&resolve_ref(&name));
                continue;
            }
            _ => continue,
        };
        let t = text.trim();
        if !t.is_empty() {
            f(Ev::Text(t));
        }
        text.clear();
        if let Some(e) = start {
            attrs.clear();
            for a in e.attributes().with_checks(false).flatten() {
                let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
                let value = a
                    .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .map_err(|e| at(&reader, &e))?;
                attrs.push((key, value.into_owned()));
            }
            let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
            f(Ev::Start {
                name: &name,
                attrs: &attrs,
            });
            if end {
                f(Ev::End { name: &name });
            }
        } else if let Event::End(e) = &ev {
            let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
            f(Ev::End { name: &name });
        } else {
            return Ok(());
        }
    }
}

/// `&amp;` and friends, and character references; an unknown entity stays as written.
fn resolve_ref(name: &str) -> String {
    let ch = match name {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name
            .strip_prefix("#x")
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .or_else(|| name.strip_prefix('#').and_then(|d| d.parse().ok()))
            .and_then(char::from_u32),
    };
    ch.map(String::from).unwrap_or_else(|| format!("&{name};"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_with_entities_is_joined_and_prefixes_dropped() {
        let mut seen = Vec::new();
        walk(
            br#"<a xmlns:rpm="x"><rpm:b n="1 &amp; 2"/>x &lt; y&#33;</a>"#,
            |e| {
                seen.push(match e {
                    Ev::Start { name, attrs } => format!("<{name} {attrs:?}>"),
                    Ev::End { name } => format!("</{name}>"),
                    Ev::Text(t) => t.to_string(),
                })
            },
        )
        .unwrap();
        assert_eq!(
            seen,
            [
                "<a [(\"rpm\", \"x\")]>",
                "<b [(\"n\", \"1 & 2\")]>",
                "</b>",
                "x < y!",
                "</a>"
            ]
        );
    }
}
