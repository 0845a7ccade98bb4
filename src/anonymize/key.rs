//! The secret key behind every pseudonym: 32 random bytes kept as 64 hex digits in a key
//! file. The same key gives the same pseudonyms, so shards anonymized on different days
//! (and their directory snapshot) stay consistent; without it a pseudonym cannot be
//! recomputed from a guessed name.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::AnonymizeError;

/// A 256-bit key for BLAKE3's keyed mode.
#[derive(Clone)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never print the secret.
        f.write_str("Key(..)")
    }
}

/// Whether `Key::load_or_create` read an existing key or wrote a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeySource {
    Read,
    Created,
}

impl Key {
    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    pub fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Read the key at `path`, or create it there (random, owner-only permissions) when no
    /// file exists yet.
    pub fn load_or_create(path: &Path) -> Result<(Key, KeySource), AnonymizeError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Ok((parse(path, &text)?, KeySource::Read)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Ok((create(path)?, KeySource::Created))
            }
            Err(e) => Err(AnonymizeError::Key {
                path: path.to_path_buf(),
                message: format!("cannot read: {e}"),
            }),
        }
    }
}

fn parse(path: &Path, text: &str) -> Result<Key, AnonymizeError> {
    let bad = || AnonymizeError::Key {
        path: path.to_path_buf(),
        message: "expected 64 hexadecimal digits (a key written by `careplay logs anonymize`)"
            .to_owned(),
    };
    let hex = text.trim();
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        let pair = hex.get(2 * i..2 * i + 2).ok_or_else(bad)?;
        *byte = u8::from_str_radix(pair, 16).map_err(|_| bad())?;
    }
    Ok(Key(out))
}

fn create(path: &Path) -> Result<Key, AnonymizeError> {
    let err = |message: String| AnonymizeError::Key {
        path: PathBuf::from(path),
        message,
    };
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| err(format!("no random source: {e}")))?;
    let mut opts = std::fs::OpenOptions::new();
    // `create_new`: two runs racing to create the key never overwrite each other's.
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts
        .open(path)
        .map_err(|e| err(format!("cannot create: {e}")))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    writeln!(f, "{hex}")
        .and_then(|_| f.sync_all())
        .map_err(|e| err(format!("cannot write: {e}")))?;
    Ok(Key(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_reads_back_and_a_bad_one_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        let (a, s) = Key::load_or_create(&p).unwrap();
        assert_eq!(s, KeySource::Created);
        let (b, s) = Key::load_or_create(&p).unwrap();
        assert_eq!(s, KeySource::Read);
        assert_eq!(a.bytes(), b.bytes());
        std::fs::write(&p, "zz").unwrap();
        assert!(Key::load_or_create(&p).is_err());
        std::fs::write(&p, "g".repeat(64)).unwrap();
        assert!(Key::load_or_create(&p).is_err());
    }
}
