//! Small building blocks shared by the screens.

pub mod form;
pub mod input;

/// A text progress bar `[#####-----]` of `width` cells (brackets included): plain characters
/// so that it shows on a serial console and in snapshots, coloured by the caller.
pub fn bar(ratio: f64, width: usize, ascii: bool) -> String {
    let inner = width.saturating_sub(2);
    let ratio = if ratio.is_finite() {
        ratio.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let full = ((inner as f64) * ratio).round() as usize;
    let (on, off) = if ascii { ('#', '-') } else { ('█', '░') };
    let mut s = String::with_capacity(width * 3);
    s.push('[');
    s.extend(std::iter::repeat_n(on, full));
    s.extend(std::iter::repeat_n(off, inner - full));
    s.push(']');
    s
}

/// `mm:ss`, or `h:mm:ss` past an hour.
pub fn clock(d: std::time::Duration) -> String {
    let s = d.as_secs();
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn bars_and_clocks() {
        assert_eq!(super::bar(0.5, 12, true), "[#####-----]");
        assert_eq!(super::bar(f64::NAN, 4, true), "[--]");
        assert_eq!(super::bar(2.0, 4, true), "[##]");
        assert_eq!(super::clock(std::time::Duration::from_secs(754)), "12:34");
        assert_eq!(
            super::clock(std::time::Duration::from_secs(3754)),
            "1:02:34"
        );
    }
}
