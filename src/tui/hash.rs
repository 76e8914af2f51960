//! Password hashing for the answer the TUI builds: yescrypt (`$y$`) with libxcrypt's default
//! cost, the form `crypt(3)` and the target's /etc/shadow accept.

/// Hashes `plain` with a fresh random salt.
pub fn yescrypt(plain: &str) -> Result<String, String> {
    use yescrypt::PasswordHasher;
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(|e| format!("no random salt: {e}"))?;
    yescrypt::Yescrypt::default()
        .hash_password_with_salt(plain.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_with_the_system_crypt() {
        let h = super::yescrypt("correct horse").expect("hashing works");
        assert!(h.starts_with("$y$j9T$"), "{h}");
        assert_ne!(
            h,
            super::yescrypt("correct horse").expect("hashing works"),
            "salted"
        );
        // libxcrypt is the judge: the installed system checks passwords with it. Python's
        // crypt module calls it; where Python has no crypt module, this check is skipped.
        let py = "import crypt,sys; h=sys.argv[1]; print(crypt.crypt('correct horse', h) == h)";
        let out = std::process::Command::new("python3")
            .args(["-W", "ignore", "-c", py, &h])
            .output();
        if let Ok(out) = out {
            if out.status.success() {
                assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "True");
            }
        }
    }
}
