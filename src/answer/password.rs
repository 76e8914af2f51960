//! Hashing plain passwords once, so the installed system and the saved answer file carry the
//! same hash and the plain text goes no further than this.

use super::{Answer, Password};

#[derive(Debug, thiserror::Error)]
#[error("hashing the password of {user}: {reason}")]
pub struct HashError {
    pub user: String,
    pub reason: String,
}

/// yescrypt with libxcrypt's default cost ("$y$j9T$"), the form `crypt(3)` verifies.
pub fn hash_plain(user: &str, plain: &str) -> Result<String, HashError> {
    use yescrypt::PasswordHasher;
    let err = |reason: String| HashError {
        user: user.to_owned(),
        reason,
    };
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| err(format!("no random salt: {e}")))?;
    let hash = yescrypt::Yescrypt::default()
        .hash_password_with_salt(plain.as_bytes(), &salt)
        .map_err(|e| err(e.to_string()))?;
    Ok(hash.to_string())
}

impl Answer {
    /// The same answer with every `{ plain = ... }` replaced by `{ hash = ... }`.
    pub fn with_hashed_passwords(&self) -> Result<Answer, HashError> {
        let mut a = self.clone();
        hash_in_place("root", &mut a.root.password)?;
        for u in &mut a.users {
            hash_in_place(&u.name, &mut u.password)?;
        }
        Ok(a)
    }
}

fn hash_in_place(user: &str, p: &mut Password) -> Result<(), HashError> {
    if let Password::Plain { plain } = p {
        *p = Password::Hash {
            hash: hash_plain(user, plain)?,
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_passwords_become_distinct_yescrypt_hashes() {
        let text = "version = 1\n[target]\npath = \"/dev/sda\"\n[root]\npassword = { plain = \"s3cret\" }\n\
                    [[users]]\nname = \"a\"\npassword = { plain = \"s3cret\" }\n[[users]]\nname = \"b\"\n";
        let a: Answer = toml::from_str(text).unwrap();
        let h = a.with_hashed_passwords().unwrap();
        let root = match &h.root.password {
            Password::Hash { hash } => hash.clone(),
            other => panic!("{other:?}"),
        };
        assert!(root.starts_with("$y$j9T$"), "{root}");
        assert!(matches!(&h.users[0].password, Password::Hash { hash } if *hash != root));
        assert_eq!(h.users[1].password, Password::Locked);
        assert!(!crate::answer::to_toml(&h).contains("s3cret"));
    }

    #[test]
    fn hashes_verify_with_the_system_crypt() {
        // libxcrypt is the judge: the installed system checks passwords with it (through
        // Python's crypt module here).
        let h = hash_plain("t", "correct horse").unwrap();
        let py = "import crypt,sys; h=sys.argv[1]; print(crypt.crypt('correct horse', h) == h)";
        let out = std::process::Command::new("python3")
            .args(["-W", "ignore", "-c", py, &h])
            .output()
            .expect("python3 runs");
        assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "True", "{h}");
    }
}
