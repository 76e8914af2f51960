//! RPM version comparison: `rpmvercmp` as rpm 4.x implements it (segments of digits or
//! letters, `~` sorts before anything, `^` after the base but before any further segment),
//! and epoch:version-release comparison with the release ignored when one side has none.

use std::cmp::Ordering;

use super::types::{Dep, Package};

/// Compares two version (or release) strings the way rpm does.
pub fn rpmvercmp(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    let (mut one, mut two) = (a.as_bytes(), b.as_bytes());
    let sep = |s: &[u8]| {
        s.iter()
            .take_while(|c| !c.is_ascii_alphanumeric() && **c != b'~' && **c != b'^')
            .count()
    };
    loop {
        one = &one[sep(one)..];
        two = &two[sep(two)..];
        // Tilde: a pre-release, older than the same version without it.
        if one.first() == Some(&b'~') || two.first() == Some(&b'~') {
            if one.first() != Some(&b'~') {
                return Ordering::Greater;
            }
            if two.first() != Some(&b'~') {
                return Ordering::Less;
            }
            (one, two) = (&one[1..], &two[1..]);
            continue;
        }
        // Caret: a post-release snapshot, newer than the base but older than base.1.
        if one.first() == Some(&b'^') || two.first() == Some(&b'^') {
            if one.is_empty() {
                return Ordering::Less;
            }
            if two.is_empty() {
                return Ordering::Greater;
            }
            if one.first() != Some(&b'^') {
                return Ordering::Greater;
            }
            if two.first() != Some(&b'^') {
                return Ordering::Less;
            }
            (one, two) = (&one[1..], &two[1..]);
            continue;
        }
        if one.is_empty() || two.is_empty() {
            break;
        }
        let numeric = one[0].is_ascii_digit();
        let class = |c: &u8| {
            if numeric {
                c.is_ascii_digit()
            } else {
                c.is_ascii_alphabetic()
            }
        };
        let n1 = one.iter().take_while(|c| class(c)).count();
        let n2 = two.iter().take_while(|c| class(c)).count();
        let (s1, s2) = (&one[..n1], &two[..n2]);
        (one, two) = (&one[n1..], &two[n2..]);
        if s2.is_empty() {
            // Segments of different kinds: a number is newer than letters.
            return if numeric {
                Ordering::Greater
            } else {
                Ordering::Less
            };
        }
        let ord = if numeric {
            let t1 = trim_zeros(s1);
            let t2 = trim_zeros(s2);
            t1.len().cmp(&t2.len()).then_with(|| t1.cmp(t2))
        } else {
            s1.cmp(s2)
        };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    match (one.is_empty(), two.is_empty()) {
        (true, true) => Ordering::Equal,
        (false, _) => Ordering::Greater,
        (true, false) => Ordering::Less,
    }
}

fn trim_zeros(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|c| **c == b'0').count();
    &s[n..]
}

/// Epoch, version and (optional) release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evr<'a> {
    pub epoch: u32,
    pub version: &'a str,
    pub release: Option<&'a str>,
}

impl<'a> Evr<'a> {
    /// "E:V-R", "V-R", "E:V" or "V".
    pub fn parse(s: &'a str) -> Evr<'a> {
        let (epoch, rest) = match s.split_once(':') {
            Some((e, r)) if e.chars().all(|c| c.is_ascii_digit()) => (e.parse().unwrap_or(0), r),
            _ => (0, s),
        };
        let (version, release) = match rest.rsplit_once('-') {
            Some((v, r)) => (v, Some(r)),
            None => (rest, None),
        };
        Evr {
            epoch,
            version,
            release,
        }
    }

    pub fn of(p: &'a Package) -> Evr<'a> {
        Evr {
            epoch: p.epoch,
            version: &p.version,
            release: Some(&p.release),
        }
    }

    /// Compares as rpm does for dependencies: the release counts only when both have one.
    pub fn cmp_dep(&self, other: &Evr<'_>) -> Ordering {
        self.epoch
            .cmp(&other.epoch)
            .then_with(|| rpmvercmp(self.version, other.version))
            .then_with(|| match (self.release, other.release) {
                (Some(a), Some(b)) => rpmvercmp(a, b),
                _ => Ordering::Equal,
            })
    }
}

/// Orders packages by epoch, version, release (newest greatest).
pub fn cmp_packages(a: &Package, b: &Package) -> Ordering {
    Evr::of(a).cmp_dep(&Evr::of(b))
}

/// Whether something provided at `have` (None: unversioned) satisfies `want`.
pub fn satisfies(have: Option<&Evr<'_>>, want: &Dep) -> bool {
    let (Some(flags), Some(evr)) = (want.flags.as_deref(), want.evr.as_deref()) else {
        return true;
    };
    // rpm lets an unversioned provide satisfy any versioned requirement.
    let Some(have) = have else { return true };
    let ord = have.cmp_dep(&Evr::parse(evr));
    match flags {
        "EQ" => ord == Ordering::Equal,
        "LT" => ord == Ordering::Less,
        "LE" => ord != Ordering::Greater,
        "GT" => ord == Ordering::Greater,
        "GE" => ord != Ordering::Less,
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Ordering::*;

    #[test]
    fn rpmvercmp_matches_rpm() {
        let cases = [
            ("1.0", "1.0", Equal),
            ("1.0", "1.0.1", Less),
            ("1.0~rc1", "1.0", Less),
            ("1.0~rc1", "1.0~rc2", Less),
            ("1.0~~", "1.0~", Less),
            ("1.0^", "1.0", Greater),
            ("1.0^git1", "1.0.1", Less),
            ("1.0^git1", "1.0^git2", Less),
            ("6.18.10", "6.18.2", Greater),
            ("6.18.2", "6.12.9", Greater),
            ("1.010", "1.10", Equal),
            ("1.001", "1.1", Equal),
            ("2.0a", "2.0", Greater),
            ("2.0", "2.0a", Less),
            ("1.0a", "1.0.1", Less),
            // Letters sort before digits in a segment position.
            ("1.a", "1.1", Less),
            ("1.b", "1.a", Greater),
            ("FC5", "fc4", Less),
            ("1_0", "1.0", Equal),
            ("5.5p1", "5.5p10", Less),
            ("10b2", "10a1", Greater),
            ("1.azl4", "1.azl3", Greater),
        ];
        for (a, b, want) in cases {
            assert_eq!(rpmvercmp(a, b), want, "{a} vs {b}");
            assert_eq!(rpmvercmp(b, a), want.reverse(), "{b} vs {a}");
        }
    }

    #[test]
    fn epochs_win_and_missing_releases_are_ignored() {
        let e = |s| Evr::parse(s);
        assert_eq!(e("1:1.0-1").cmp_dep(&e("2.0-1")), Greater);
        assert_eq!(e("0:1.0-1").cmp_dep(&e("1.0-1")), Equal);
        assert_eq!(e("1.0-5").cmp_dep(&e("1.0")), Equal);
        assert_eq!(e("1.0-5").cmp_dep(&e("1.0-10")), Less);
        assert_eq!(e("6.18.2-1.azl4").version, "6.18.2");
    }

    #[test]
    fn versioned_requirements() {
        let dep = |f: &str, v: &str| Dep {
            name: "x".into(),
            flags: Some(f.into()),
            evr: Some(v.into()),
        };
        let have = Evr::parse("6.18.2-1.azl4");
        assert!(satisfies(Some(&have), &dep("EQ", "6.18.2-1.azl4")));
        assert!(satisfies(Some(&have), &dep("EQ", "6.18.2")));
        assert!(!satisfies(Some(&have), &dep("EQ", "6.12.9-1.azl4")));
        assert!(satisfies(Some(&have), &dep("GE", "6.18")));
        assert!(!satisfies(Some(&have), &dep("LT", "6.18.2")));
        assert!(satisfies(None, &dep("GE", "9")));
        assert!(satisfies(Some(&have), &Dep::default()));
    }
}
