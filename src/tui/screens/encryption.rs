//! Encryption on the disk screen: whether the root is encrypted (auto layout), the
//! passphrase typed twice in masked inputs with a strength hint, or the file a starting
//! answer named, and a TPM2 toggle when the machine has a TPM 2.0. The passphrase goes
//! into the in-memory answer for the plan; every writer of the answer leaves it out
//! (`Answer::without_secrets`).

use crate::answer::{Encryption, Issue};
use crate::tui::text;
use crate::tui::widgets::form::{Field, Form};
use crate::tui::widgets::input::LineInput;

use super::disk::{ENCRYPT, PASS, PASS_FROM, PASS2, TPM2};

/// What the screen has no field for in `[storage.encryption]`: kept as given.
#[derive(Debug, Clone, Default)]
pub struct Unlock {
    /// `passphrase_file` of the starting answer (offered as a choice).
    pub file: Option<String>,
    pub pcrs: Option<Vec<u8>>,
    /// `tpm2` as given, for a machine without a TPM 2.0 (no toggle is shown there; the
    /// plan says the TPM is missing).
    pub tpm2_given: bool,
    /// The machine has a TPM 2.0.
    pub tpm: bool,
}

/// The fields, in screen order from `ENCRYPT`.
pub fn fields(encrypt: bool, e: Option<&Encryption>, tpm: bool) -> (Vec<Field>, Unlock) {
    let file = e.and_then(|e| e.passphrase_file.clone());
    let from: Vec<String> = vec![
        text::PASS_TYPED.into(),
        text::pass_file(file.as_deref().unwrap_or("")),
    ];
    let plain = e.and_then(|e| e.passphrase.clone()).unwrap_or_default();
    let mut pass = Field::secret(text::F_PASS, "storage.encryption");
    let mut again = Field::secret(text::F_PASS2, "");
    for f in [&mut pass, &mut again] {
        if let crate::tui::widgets::form::Value::Text { input, .. } = &mut f.value {
            *input = LineInput::new(plain.as_str());
        }
    }
    let tpm2 = e.is_some_and(|e| e.tpm2);
    let fields = vec![
        Field::toggle(text::F_ENCRYPT, "storage.encrypt", encrypt),
        Field::new(
            text::F_PASS_FROM,
            "storage.encryption.passphrase_file",
            crate::tui::widgets::form::Value::Choice {
                options: from,
                index: usize::from(file.is_some()),
            },
        ),
        pass,
        again,
        Field::toggle(text::F_TPM2, "storage.encryption.tpm2", tpm2),
    ];
    let unlock = Unlock {
        file,
        pcrs: e.and_then(|e| e.tpm2_pcrs.clone()),
        tpm2_given: tpm2,
        tpm,
    };
    (fields, unlock)
}

/// Shows the fields that apply (`encrypting`: the auto layout's toggle is on, or a custom
/// layout has containers; `custom`: the toggle is the auto layout's); a passphrase no
/// longer asked for is dropped from memory.
pub fn sync(form: &mut Form, u: &Unlock, encrypting: bool, custom: bool) {
    form.hide(ENCRYPT, custom);
    form.hide(PASS_FROM, !encrypting || u.file.is_none());
    let typed = typing(form, u);
    for f in [PASS, PASS2] {
        form.hide(f, !encrypting || !typed);
        if (!encrypting || !typed)
            && let Some(i) = form.input_mut(f)
        {
            drop(i.take());
        }
    }
    form.hide(TPM2, !encrypting || !u.tpm);
    let pass = form.text(PASS);
    let tpm2 = tpm2_on(form, u);
    form.fields[PASS].note = if !pass.is_empty() {
        let (s, n, kinds) = strength(pass);
        Some(text::strength_note(s, n, kinds))
    } else if tpm2 {
        Some(text::TPM2_ONLY.into())
    } else {
        None
    };
}

/// The passphrase is typed here (not read from the starting answer's file).
fn typing(form: &Form, u: &Unlock) -> bool {
    u.file.is_none() || form.choice(PASS_FROM) == 0
}

fn tpm2_on(form: &Form, u: &Unlock) -> bool {
    if u.tpm {
        form.toggle(TPM2)
    } else {
        u.tpm2_given
    }
}

/// `[storage.encryption]` from the fields; None when it would say nothing at all.
pub fn encryption(form: &Form, u: &Unlock) -> Option<Encryption> {
    let typed = typing(form, u);
    let pass = form.text(PASS);
    let tpm2 = tpm2_on(form, u);
    let e = Encryption {
        passphrase: (typed && !pass.is_empty()).then(|| pass.to_string()),
        passphrase_file: if typed { None } else { u.file.clone() },
        tpm2,
        // PCRs only mean something with the TPM2.
        tpm2_pcrs: u.pcrs.clone().filter(|_| tpm2),
    };
    (e != Encryption::default()).then_some(e)
}

/// What the answer checks cannot see: the two inputs differ.
pub fn local_issues(form: &Form, encrypting: bool) -> Vec<Issue> {
    let shown = encrypting && !form.fields[PASS].hidden;
    if shown && form.text(PASS) != form.text(PASS2) {
        return vec![Issue::new(
            "storage.encryption.passphrase",
            text::PASSPHRASES_DIFFER,
        )];
    }
    Vec::new()
}

/// How hard a passphrase is to guess, from its length and kinds of characters (lower
/// case, upper case, digits, anything else).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// Under the 8 characters the answer requires.
    TooShort,
    Weak,
    Fair,
    Strong,
}

/// The strength, the length in characters and the number of kinds of characters.
pub fn strength(p: &str) -> (Strength, usize, usize) {
    let n = p.chars().count();
    let kinds = [
        p.chars().any(|c| c.is_lowercase()),
        p.chars().any(|c| c.is_uppercase()),
        p.chars().any(|c| c.is_ascii_digit()),
        p.chars()
            .any(|c| !c.is_lowercase() && !c.is_uppercase() && !c.is_ascii_digit()),
    ]
    .into_iter()
    .filter(|k| *k)
    .count();
    // A long passphrase of plain words is strong; a short one needs variety.
    let s = if n < 8 {
        Strength::TooShort
    } else if (n >= 16 && kinds >= 2) || (n >= 12 && kinds >= 3) {
        Strength::Strong
    } else if n >= 12 || kinds >= 3 {
        Strength::Fair
    } else {
        Strength::Weak
    };
    (s, n, kinds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_grows_with_length_and_variety() {
        assert_eq!(strength("hunter2").0, Strength::TooShort);
        assert_eq!(strength("hunterhunter").0, Strength::Fair);
        assert_eq!(strength("hunterhu").0, Strength::Weak);
        assert_eq!(strength("Hunter#2").0, Strength::Fair);
        assert_eq!(strength("Tr0ub4dor&3x").0, Strength::Strong);
        assert_eq!(
            strength("correct horse battery staple"),
            (Strength::Strong, 28, 2)
        );
        assert_eq!(strength("ÄÖÜäöüß1").2, 3);
    }
}
