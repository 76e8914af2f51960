//! Rich (boolean) dependencies, `(a or b)`, `(a if b else c)`, ..., parsed into a tree and
//! decided against what the closure chose so far. A best effort: conditions are not
//! revisited when a later choice would change them.

use super::types::Dep;

#[derive(Debug, PartialEq)]
pub enum Rich {
    Dep(Dep),
    And(Vec<Rich>),
    Or(Vec<Rich>),
    If(Box<Rich>, Box<Rich>, Option<Box<Rich>>),
    Unless(Box<Rich>, Box<Rich>, Option<Box<Rich>>),
}

/// `need(dep, add)`: whether `dep` is (with `add`: can be made) satisfied.
type Need<'a> = dyn FnMut(&Dep, bool) -> bool + 'a;

impl Rich {
    /// Satisfies the expression, adding packages through `need`.
    pub fn require(&self, need: &mut Need<'_>) -> bool {
        match self {
            Rich::Dep(d) => need(d, true),
            Rich::And(v) => {
                // Every part is required, even after one failed: no short-circuit.
                let mut ok = true;
                for r in v {
                    ok &= r.require(need);
                }
                ok
            }
            Rich::Or(v) => v.iter().any(|r| r.holds(need)) || v.iter().any(|r| r.require(need)),
            Rich::If(a, cond, other) => {
                if cond.holds(need) {
                    a.require(need)
                } else {
                    other.as_ref().is_none_or(|o| o.require(need))
                }
            }
            Rich::Unless(a, cond, other) => {
                if cond.holds(need) {
                    other.as_ref().is_none_or(|o| o.require(need))
                } else {
                    a.require(need)
                }
            }
        }
    }

    /// Whether the expression already holds, adding nothing.
    fn holds(&self, need: &mut Need<'_>) -> bool {
        match self {
            Rich::Dep(d) => need(d, false),
            Rich::And(v) => v.iter().all(|r| r.holds(need)),
            Rich::Or(v) => v.iter().any(|r| r.holds(need)),
            Rich::If(..) | Rich::Unless(..) => true,
        }
    }
}

/// Parses `(...)`; None when it is not a rich dependency this understands.
pub fn parse(s: &str) -> Option<Rich> {
    let spaced = s.replace('(', " ( ").replace(')', " ) ");
    let tokens: Vec<&str> = spaced.split_whitespace().collect();
    let mut pos = 0;
    let r = expr(&tokens, &mut pos)?;
    (pos == tokens.len()).then_some(r)
}

const OPS: [&str; 6] = ["and", "or", "if", "else", "unless", "with"];

fn expr(t: &[&str], pos: &mut usize) -> Option<Rich> {
    if t.get(*pos) != Some(&"(") {
        return None;
    }
    *pos += 1;
    let first = operand(t, pos)?;
    let mut op: Option<&str> = None;
    let mut rest = Vec::new();
    while let Some(tok) = t.get(*pos) {
        if *tok == ")" {
            *pos += 1;
            return build(first, op, rest);
        }
        if !OPS.contains(tok) {
            return None;
        }
        // `else` continues an if/unless; any other operator must not change mid-list.
        if *tok != "else" {
            if op.is_some_and(|o| o != *tok) {
                return None;
            }
            op = Some(tok);
        }
        *pos += 1;
        rest.push(operand(t, pos)?);
    }
    None
}

fn build(first: Rich, op: Option<&str>, rest: Vec<Rich>) -> Option<Rich> {
    let mut all = vec![first];
    all.extend(rest);
    Some(match op {
        None if all.len() == 1 => all.pop()?,
        Some("and" | "with") => Rich::And(all),
        Some("or") => Rich::Or(all),
        Some(o @ ("if" | "unless")) => {
            let mut it = all.into_iter();
            let a = Box::new(it.next()?);
            let cond = Box::new(it.next()?);
            let other = it.next().map(Box::new);
            if o == "if" {
                Rich::If(a, cond, other)
            } else {
                Rich::Unless(a, cond, other)
            }
        }
        _ => return None,
    })
}

/// A nested expression, or `name [op version]`.
fn operand(t: &[&str], pos: &mut usize) -> Option<Rich> {
    let tok = *t.get(*pos)?;
    if tok == "(" {
        return expr(t, pos);
    }
    if tok == ")" || OPS.contains(&tok) {
        return None;
    }
    *pos += 1;
    let flags = match t.get(*pos).copied() {
        Some("=") => Some("EQ"),
        Some("<") => Some("LT"),
        Some("<=") => Some("LE"),
        Some(">") => Some("GT"),
        Some(">=") => Some("GE"),
        _ => None,
    };
    let mut dep = Dep {
        name: tok.to_owned(),
        ..Dep::default()
    };
    if let Some(f) = flags {
        let evr = t.get(*pos + 1)?;
        *pos += 2;
        dep.flags = Some(f.to_owned());
        dep.evr = Some((*evr).to_owned());
    }
    Some(Rich::Dep(dep))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(n: &str) -> Rich {
        Rich::Dep(Dep {
            name: n.into(),
            ..Dep::default()
        })
    }

    #[test]
    fn parses_the_common_forms() {
        assert_eq!(parse("(a or b)"), Some(Rich::Or(vec![d("a"), d("b")])));
        assert_eq!(
            parse("(a if b else c)"),
            Some(Rich::If(
                Box::new(d("a")),
                Box::new(d("b")),
                Some(Box::new(d("c")))
            ))
        );
        let Some(Rich::And(v)) = parse("(x >= 1.2 and (y or z))") else {
            panic!("not an and")
        };
        assert_eq!(v.len(), 2);
        assert!(parse("(a or b and c)").is_none());
        assert!(parse("a").is_none());
    }

    #[test]
    fn or_prefers_what_is_there_and_if_depends_on_the_condition() {
        let have = ["b"];
        let mut added = Vec::new();
        let mut need = |dep: &Dep, add: bool| {
            if have.contains(&dep.name.as_str()) {
                return true;
            }
            if add {
                added.push(dep.name.clone());
            }
            add
        };
        assert!(parse("(a or b)").unwrap().require(&mut need));
        assert!(parse("(c if b)").unwrap().require(&mut need));
        assert!(parse("(e if f)").unwrap().require(&mut need));
        assert_eq!(added, ["c"]);
    }
}
