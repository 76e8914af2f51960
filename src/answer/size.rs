//! Sizes (`"600MiB"`, `"25%"`, `"rest"`) and durations (`"5m"`) as they are written in answer
//! files. Both are strings in TOML so that the unit is always explicit.

use std::fmt;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::units::{GIB, KIB, MIB, TIB};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SizeError {
    #[error("expected a size such as \"600MiB\", \"20GiB\", \"25%\" or \"rest\", found {0:?}")]
    Malformed(String),
    #[error("{0:?} is too large")]
    Overflow(String),
    #[error("a percentage must be between 1% and 100%, found {0:?}")]
    Percent(String),
    #[error("expected a duration such as \"30s\", \"5m\" or \"1h\", found {0:?}")]
    Duration(String),
}

/// A size in an answer file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Size {
    Bytes(u64),
    /// Percent of the whole disk, 1..=100.
    Percent(u8),
    /// Whatever is left; only on the last partition.
    Rest,
}

impl Size {
    /// Bytes this size stands for on a disk of `disk_bytes`, `None` for `rest`.
    pub fn bytes_of(&self, disk_bytes: u64) -> Option<u64> {
        match *self {
            Size::Bytes(b) => Some(b),
            Size::Percent(p) => Some(disk_bytes / 100 * u64::from(p)),
            Size::Rest => None,
        }
    }

    /// The byte count when the size is absolute.
    pub fn absolute(&self) -> Option<u64> {
        match *self {
            Size::Bytes(b) => Some(b),
            _ => None,
        }
    }
}

impl FromStr for Size {
    type Err = SizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("rest") {
            return Ok(Size::Rest);
        }
        if let Some(num) = t.strip_suffix('%') {
            let p: u8 = num
                .trim()
                .parse()
                .map_err(|_| SizeError::Percent(s.into()))?;
            if p == 0 || p > 100 {
                return Err(SizeError::Percent(s.into()));
            }
            return Ok(Size::Percent(p));
        }
        let split = t
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| SizeError::Malformed(s.into()))?;
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().map_err(|_| SizeError::Malformed(s.into()))?;
        let mult = match unit.trim() {
            "B" => 1,
            "KiB" => KIB,
            "MiB" => MIB,
            "GiB" => GIB,
            "TiB" => TIB,
            _ => return Err(SizeError::Malformed(s.into())),
        };
        n.checked_mul(mult)
            .map(Size::Bytes)
            .ok_or_else(|| SizeError::Overflow(s.into()))
    }
}

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Size::Rest => f.write_str("rest"),
            Size::Percent(p) => write!(f, "{p}%"),
            Size::Bytes(b) => {
                for (unit, m) in [("TiB", TIB), ("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
                    if b >= m && b % m == 0 {
                        return write!(f, "{}{unit}", b / m);
                    }
                }
                write!(f, "{b}B")
            }
        }
    }
}

pub use crate::units::human_bytes;

impl Serialize for Size {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Size {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Size {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Size".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A size: \"600MiB\", \"20GiB\", \"1TiB\", \"25%\" of the disk, or \"rest\".",
            "pattern": "^(rest|[0-9]+ ?(B|KiB|MiB|GiB|TiB)|[0-9]{1,3}%)$"
        })
    }
}

/// A duration such as `"30s"`, `"5m"`, `"1h"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Duration(pub std::time::Duration);

impl FromStr for Duration {
    type Err = SizeError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let split = t
            .find(|c: char| !c.is_ascii_digit())
            .ok_or_else(|| SizeError::Duration(s.into()))?;
        let (num, unit) = t.split_at(split);
        let n: u64 = num.parse().map_err(|_| SizeError::Duration(s.into()))?;
        let mult = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            _ => return Err(SizeError::Duration(s.into())),
        };
        n.checked_mul(mult)
            .map(|secs| Duration(std::time::Duration::from_secs(secs)))
            .ok_or_else(|| SizeError::Overflow(s.into()))
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = self.0.as_secs();
        if s > 0 && s.is_multiple_of(3600) {
            write!(f, "{}h", s / 3600)
        } else if s > 0 && s.is_multiple_of(60) {
            write!(f, "{}m", s / 60)
        } else {
            write!(f, "{s}s")
        }
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Duration {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Duration".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A duration: \"30s\", \"5m\", \"1h\".",
            "pattern": "^[0-9]+(s|m|h)$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_and_print_round_trip() {
        for (text, want) in [
            ("600MiB", Size::Bytes(600 * MIB)),
            ("20GiB", Size::Bytes(20 * GIB)),
            ("1TiB", Size::Bytes(TIB)),
            ("512B", Size::Bytes(512)),
            ("25%", Size::Percent(25)),
            ("rest", Size::Rest),
        ] {
            let got: Size = text.parse().unwrap();
            assert_eq!(got, want, "{text}");
            assert_eq!(got.to_string(), text);
        }
    }

    #[test]
    fn bad_sizes_are_refused() {
        for bad in [
            "",
            "GiB",
            "12",
            "12gb",
            "0%",
            "101%",
            "-1GiB",
            "99999999999TiB",
        ] {
            assert!(bad.parse::<Size>().is_err(), "{bad:?} parsed");
        }
    }

    #[test]
    fn percent_is_of_the_whole_disk() {
        assert_eq!(Size::Percent(25).bytes_of(400 * GIB), Some(100 * GIB));
        assert_eq!(Size::Rest.bytes_of(400 * GIB), None);
    }

    #[test]
    fn durations_parse() {
        assert_eq!("5m".parse::<Duration>().unwrap().0.as_secs(), 300);
        assert_eq!("1h".parse::<Duration>().unwrap().to_string(), "1h");
        assert!("5 minutes".parse::<Duration>().is_err());
        assert!("99999999999999999999h".parse::<Duration>().is_err());
        assert!("9999999999999999999h".parse::<Duration>().is_err());
    }
}
