//! Encryption at rest for the words a person writes: each account has its own random data
//! key, kept in `account_keys` wrapped (encrypted) by the installation's master key, which
//! lives in a file outside the database (docs/privacy.md).
//!
//! A value is sealed with XChaCha20-Poly1305 under its account's data key, with associated
//! data naming the account, table, column and row it belongs to: a ciphertext copied onto
//! another row, column or account fails to open, and is reported as damaged data instead of
//! being shown. Which columns are sealed, and what identifies their rows, is in [`sealed`].

pub mod codec;
pub mod keyfile;
pub mod sealed;
#[macro_use]
pub mod startup;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::StoreError;
pub use keyfile::MasterKey;
pub use sealed::Column;

/// The prefix of every sealed value: the layout's version, so a future layout can be told
/// apart from this one.
const PREFIX: &str = "v1:";
const NONCE_LEN: usize = 24;
const KEY_LEN: usize = 32;

/// What the master key's check value says, sealed under the master key in `vault_state`: a
/// wrong key is noticed at start, before anything is read or written with it.
const CHECK_PLAINTEXT: &[u8] = b"Between master key";
const CHECK_AD: &[u8] = b"between:vault_state.master_key_check";

/// An account's data key, unwrapped, with the account it belongs to.
///
/// A read of an account that has no key (a deleted one) gets a key that opens nothing:
/// finding no rows then needs no key, and any sealed value found is damaged data.
#[derive(Clone)]
pub struct DataKey {
    account: i64,
    key: Option<Arc<Zeroizing<[u8; KEY_LEN]>>>,
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the key itself.
        write!(f, "DataKey(account {})", self.account)
    }
}

impl DataKey {
    fn generate(account: i64) -> DataKey {
        let mut key = Zeroizing::new([0u8; KEY_LEN]);
        rand::rngs::OsRng.fill_bytes(key.as_mut());
        DataKey {
            account,
            key: Some(Arc::new(key)),
        }
    }

    /// The key of an account that has none: it opens nothing.
    pub(crate) fn missing(account: i64) -> DataKey {
        DataKey { account, key: None }
    }

    fn cipher(&self) -> Option<XChaCha20Poly1305> {
        self.key
            .as_ref()
            .map(|k| XChaCha20Poly1305::new((&***k).into()))
    }

    /// Seals `text` for `column` of the row `row` (its id or client id, as
    /// [`Column::row_key`] says).
    /// Writes always use a real key (a missing one is an error before any write); were one
    /// ever missing, the value written would be one that opens as damaged data, never text.
    pub fn seal(&self, column: Column, row: &str, text: &str) -> String {
        match self.cipher() {
            Some(cipher) => seal_bytes(
                &cipher,
                column.associated_data(self.account, row).as_bytes(),
                text.as_bytes(),
            ),
            None => PREFIX.to_string(),
        }
    }

    /// [`DataKey::seal`] for an optional value: nothing stays nothing.
    pub fn seal_opt(&self, column: Column, row: &str, text: Option<&str>) -> Option<String> {
        text.map(|t| self.seal(column, row, t))
    }

    /// Opens a value sealed for `column` of the row `row`; anything else (another row's
    /// value, a damaged or plain value) is [`StoreError::Damaged`].
    pub fn open(&self, column: Column, row: &str, sealed: &str) -> Result<String, StoreError> {
        let damaged = || StoreError::Damaged {
            table: column.table,
            column: column.column,
        };
        let cipher = self.cipher().ok_or(StoreError::Damaged {
            table: "account_keys",
            column: "wrapped",
        })?;
        let plain = open_bytes(
            &cipher,
            column.associated_data(self.account, row).as_bytes(),
            sealed,
        )
        .ok_or_else(damaged)?;
        String::from_utf8(plain).map_err(|_| damaged())
    }

    /// [`DataKey::open`] for an optional value.
    pub fn open_opt(
        &self,
        column: Column,
        row: &str,
        sealed: Option<String>,
    ) -> Result<Option<String>, StoreError> {
        sealed.map(|s| self.open(column, row, &s)).transpose()
    }
}

fn seal_bytes(cipher: &XChaCha20Poly1305, ad: &[u8], plain: &[u8]) -> String {
    let mut nonce = [0u8; NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    // Encryption with a valid key and nonce length cannot fail; the only error the AEAD
    // reports is for inputs longer than it can count, far beyond any text we accept.
    let sealed = cipher
        .encrypt(
            XNonce::from_slice(&nonce),
            Payload {
                msg: plain,
                aad: ad,
            },
        )
        .unwrap_or_default();
    let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    format!("{PREFIX}{}", STANDARD_NO_PAD.encode(out))
}

fn open_bytes(cipher: &XChaCha20Poly1305, ad: &[u8], sealed: &str) -> Option<Vec<u8>> {
    let raw = STANDARD_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
    if raw.len() < NONCE_LEN {
        return None;
    }
    let (nonce, body) = raw.split_at(NONCE_LEN);
    cipher
        .decrypt(XNonce::from_slice(nonce), Payload { msg: body, aad: ad })
        .ok()
}

/// The master key and the data keys unwrapped so far.
pub struct Vault {
    master: MasterKey,
    keys: Mutex<HashMap<i64, DataKey>>,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Vault")
    }
}

impl Vault {
    /// A vault for the master key.
    pub fn new(master: MasterKey) -> Vault {
        Vault {
            master,
            keys: Mutex::new(HashMap::new()),
        }
    }

    fn wrap_ad(account: i64) -> String {
        format!("between:account_keys.wrapped:{account}")
    }

    /// A new data key for `account`, and its wrapped form to store in `account_keys`.
    pub fn new_data_key(&self, account: i64) -> (DataKey, String) {
        let key = DataKey::generate(account);
        let wrapped = self.wrap(&key);
        (key, wrapped)
    }

    /// The data key wrapped under this vault's master key.
    pub fn wrap(&self, key: &DataKey) -> String {
        match &key.key {
            Some(k) => seal_bytes(
                &self.master.cipher(),
                Self::wrap_ad(key.account).as_bytes(),
                &k[..],
            ),
            // Nothing to wrap; never stored, since only real keys are written.
            None => PREFIX.to_string(),
        }
    }

    /// Unwraps `account`'s stored key and keeps it for the next use.
    pub fn unwrap(&self, account: i64, wrapped: &str) -> Result<DataKey, StoreError> {
        let raw = Zeroizing::new(
            open_bytes(
                &self.master.cipher(),
                Self::wrap_ad(account).as_bytes(),
                wrapped,
            )
            .ok_or(StoreError::Damaged {
                table: "account_keys",
                column: "wrapped",
            })?,
        );
        let bytes: [u8; KEY_LEN] = raw.as_slice().try_into().map_err(|_| StoreError::Damaged {
            table: "account_keys",
            column: "wrapped",
        })?;
        let key = DataKey {
            account,
            key: Some(Arc::new(Zeroizing::new(bytes))),
        };
        self.remember(key.clone());
        Ok(key)
    }

    /// The account's data key if it was unwrapped before.
    pub fn cached(&self, account: i64) -> Option<DataKey> {
        self.lock().get(&account).cloned()
    }

    /// Keeps an unwrapped key for the next use.
    pub fn remember(&self, key: DataKey) {
        self.lock().insert(key.account, key);
    }

    /// Forgets an account's key (its account is being deleted).
    pub fn forget(&self, account: i64) {
        self.lock().remove(&account);
    }

    /// Forgets every unwrapped key (the accounts were replaced by a restore).
    pub fn forget_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i64, DataKey>> {
        // The map holds only whole entries; a panic elsewhere can't leave one half-written.
        self.keys.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The check value stored in `vault_state`, sealed under this master key.
    pub fn check_value(&self) -> String {
        seal_bytes(&self.master.cipher(), CHECK_AD, CHECK_PLAINTEXT)
    }

    /// Whether a stored check value was sealed under this master key.
    pub fn opens_check(&self, check: &str) -> bool {
        open_bytes(&self.master.cipher(), CHECK_AD, check).as_deref() == Some(CHECK_PLAINTEXT)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    /// A column for tests that need a second one.
    const OTHER: Column = Column {
        table: "checkins",
        column: "substances",
        account_column: "account_id",
        row_key: "client_id",
    };

    fn vault() -> Vault {
        Vault::new(MasterKey::generate())
    }

    #[test]
    fn a_sealed_value_opens_only_on_its_own_row_column_and_account() {
        let v = vault();
        let (key, _) = v.new_data_key(7);
        let sealed = key.seal(sealed::CHECKIN_NOTE, "row-1", "a hard day");
        assert!(sealed.starts_with(PREFIX));
        assert!(!sealed.contains("hard"));
        assert_eq!(
            key.open(sealed::CHECKIN_NOTE, "row-1", &sealed).unwrap(),
            "a hard day"
        );
        // Another row, another column, another account's key: all refuse.
        assert!(key.open(sealed::CHECKIN_NOTE, "row-2", &sealed).is_err());
        assert!(key.open(OTHER, "row-1", &sealed).is_err());
        let (other, _) = v.new_data_key(8);
        assert!(other.open(sealed::CHECKIN_NOTE, "row-1", &sealed).is_err());
        // A plain value is damage, never passed through.
        assert!(
            key.open(sealed::CHECKIN_NOTE, "row-1", "a hard day")
                .is_err()
        );
    }

    #[test]
    fn a_missing_key_opens_nothing() {
        let (key, _) = vault().new_data_key(1);
        let sealed = key.seal(sealed::CHECKIN_NOTE, "r", "words");
        let missing = DataKey::missing(1);
        assert!(missing.open(sealed::CHECKIN_NOTE, "r", &sealed).is_err());
        let written = missing.seal(sealed::CHECKIN_NOTE, "r", "words");
        assert!(!written.contains("words"));
        assert!(key.open(sealed::CHECKIN_NOTE, "r", &written).is_err());
    }

    #[test]
    fn the_same_text_seals_differently_each_time() {
        let (key, _) = vault().new_data_key(1);
        let a = key.seal(sealed::CHECKIN_NOTE, "r", "same");
        let b = key.seal(sealed::CHECKIN_NOTE, "r", "same");
        assert_ne!(a, b);
    }

    #[test]
    fn a_wrapped_key_unwraps_only_under_its_master_key_and_account() {
        let v = vault();
        let (key, wrapped) = v.new_data_key(3);
        let sealed = key.seal(OTHER, "r", "words");
        let again = vault_with(&v).unwrap(3, &wrapped).unwrap();
        assert_eq!(again.open(OTHER, "r", &sealed).unwrap(), "words");
        assert!(v.unwrap(4, &wrapped).is_err());
        assert!(vault().unwrap(3, &wrapped).is_err());
    }

    #[test]
    fn the_check_value_tells_the_right_master_key_from_a_wrong_one() {
        let v = vault();
        let check = v.check_value();
        assert!(v.opens_check(&check));
        assert!(!vault().opens_check(&check));
    }

    fn vault_with(v: &Vault) -> Vault {
        Vault::new(v.master.clone())
    }
}
