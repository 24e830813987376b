//! Crypto-shredding. The personal fields of every stored event (which ones: the domain's
//! [`personal_fields`]) are sealed with ChaCha20-Poly1305 under a random key of the person they
//! belong to, kept in `personal_data_keys`, outside the log. Erasure destroys that key: the log,
//! the Kafka topics and any backup keep only ciphertext nobody can open, and readers see the
//! field as [`Shredded`] says. A sealed field reads `{"sealed": base64(nonce ‖ ciphertext),
//! "subject": lead id}`; the field's path and the subject are bound to it as associated data, so
//! a sealed value cannot be moved to another field or person.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use leadstream_domain::envelope::Envelope;
use leadstream_domain::personal_data::{personal_fields, Shredded, ERASED_TEXT};
use rand::RngCore;
use serde_json::{json, Value};
use sqlx::PgConnection;
use std::collections::HashMap;
use uuid::Uuid;

/// The path a whole sealed document (a snapshot) is bound to.
const DOCUMENT: &str = "";

/// The keys of some data subjects, as the vault holds them: `None` for a subject whose key was
/// destroyed by erasure.
#[derive(Default, Clone)]
pub struct SubjectKeys(HashMap<Uuid, Option<Key>>);

impl SubjectKeys {
    fn cipher(&self, subject: Uuid) -> Option<ChaCha20Poly1305> {
        self.0.get(&subject)?.as_ref().map(ChaCha20Poly1305::new)
    }
}

/// When the keys an append mints reach the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDurability {
    /// Minted in the transaction that appends what they seal: durable with it.
    WithTheAppend,
    /// Committed on their own, ahead of the transaction that appends what they seal, without
    /// waiting for the WAL flush: that transaction commits after them and does wait, and a flush
    /// covers all the WAL before it, so a key is durable whenever anything sealed with it is.
    AheadOfTheAppend,
}

/// The keys that seal `subjects`' data, minting one for each subject that has none yet (an
/// erased subject keeps no key and gets none: what is written about it is shredded at once).
async fn minted(
    conn: &mut PgConnection,
    subjects: &[Uuid],
    durability: KeyDurability,
) -> Result<SubjectKeys, sqlx::Error> {
    let mut subjects = subjects.to_vec();
    subjects.sort_unstable();
    subjects.dedup();
    if subjects.is_empty() {
        return Ok(SubjectKeys::default());
    }
    let fresh: Vec<Vec<u8>> = subjects
        .iter()
        .map(|_| {
            let mut key = vec![0u8; 32];
            rand::thread_rng().fill_bytes(&mut key);
            key
        })
        .collect();
    let unflushed = if durability == KeyDurability::AheadOfTheAppend {
        ", (SELECT set_config('synchronous_commit', 'off', true)) AS unflushed"
    } else {
        ""
    };
    let rows: Vec<(Uuid, Option<Vec<u8>>)> = sqlx::query_as(&format!(
        "WITH minted AS (
             INSERT INTO personal_data_keys (subject_id, key)
             SELECT k.subject_id, k.key FROM unnest($1::uuid[], $2::bytea[]) AS k(subject_id, key){unflushed}
             ON CONFLICT (subject_id) DO NOTHING
             RETURNING subject_id, key)
         SELECT subject_id, key FROM minted
         UNION ALL
         SELECT subject_id, key FROM personal_data_keys WHERE subject_id = ANY($1)"
    ))
    .bind(&subjects)
    .bind(&fresh)
    .fetch_all(&mut *conn)
    .await?;
    let mut keys = into_keys(rows);
    // A key minted by a concurrent writer after this statement's snapshot: read it afresh.
    let missing: Vec<Uuid> = subjects.into_iter().filter(|s| !keys.0.contains_key(s)).collect();
    if !missing.is_empty() {
        keys.0.extend(keys_to_open(conn, &missing).await?.0);
    }
    Ok(keys)
}

/// The keys that open `subjects`' data (none is minted).
pub async fn keys_to_open(conn: &mut PgConnection, subjects: &[Uuid]) -> Result<SubjectKeys, sqlx::Error> {
    if subjects.is_empty() {
        return Ok(SubjectKeys::default());
    }
    let rows: Vec<(Uuid, Option<Vec<u8>>)> =
        sqlx::query_as("SELECT subject_id, key FROM personal_data_keys WHERE subject_id = ANY($1)")
            .bind(subjects)
            .fetch_all(conn)
            .await?;
    Ok(into_keys(rows))
}

/// Destroys `subject`'s key for good: everything sealed with it can no longer be read, and
/// nothing is sealed for the subject again.
pub async fn destroy_key(conn: &mut PgConnection, subject: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO personal_data_keys (subject_id, key, erased_at) VALUES ($1, NULL, now())
         ON CONFLICT (subject_id) DO UPDATE SET key = NULL, erased_at = coalesce(personal_data_keys.erased_at, now())",
    )
    .bind(subject)
    .execute(conn)
    .await?;
    Ok(())
}

fn into_keys(rows: Vec<(Uuid, Option<Vec<u8>>)>) -> SubjectKeys {
    SubjectKeys(
        rows.into_iter()
            .map(|(subject, key)| {
                let key = key.filter(|k| k.len() == 32).map(|k| *Key::from_slice(&k));
                (subject, key)
            })
            .collect(),
    )
}

/// Seals serialised events (`{"event_type": …, "data": …}`), each for the lead its data names
/// or else for its stream's subject, with keys minted on `conn` as `durability` says. Returns
/// the keys, with those of `also` (a snapshot's subject) among them.
pub async fn seal_events(
    conn: &mut PgConnection,
    events: Vec<(&mut Value, Option<Uuid>)>,
    also: &[Uuid],
    durability: KeyDurability,
) -> Result<SubjectKeys, sqlx::Error> {
    let mut events: Vec<(&mut Value, Option<Uuid>)> = events
        .into_iter()
        .map(|(payload, stream)| {
            let subject = subject_of(&payload["data"], stream);
            (payload, subject)
        })
        .collect();
    let mut subjects: Vec<Uuid> = events.iter().filter_map(|(_, subject)| *subject).collect();
    subjects.extend_from_slice(also);
    let keys = minted(conn, &subjects, durability).await?;
    for (payload, subject) in &mut events {
        let event_type = payload["event_type"].as_str().unwrap_or_default().to_string();
        if let (Some(subject), Some(data)) = (*subject, payload.get_mut("data")) {
            seal(&event_type, data, subject, &keys);
        }
    }
    Ok(keys)
}

/// Opens the sealed fields of events, given as (event type, data), with one look-up of their
/// keys; a field whose key is gone reads as erased.
pub async fn open_events(conn: &mut PgConnection, events: Vec<(&str, &mut Value)>) -> Result<(), sqlx::Error> {
    let mut subjects = vec![];
    for (event_type, data) in &events {
        sealed_subjects(event_type, data, &mut subjects);
    }
    if subjects.is_empty() {
        return Ok(());
    }
    let keys = keys_to_open(conn, &subjects).await?;
    for (event_type, data) in events {
        open(event_type, data, &keys);
    }
    Ok(())
}

/// Opens the sealed fields of `envelopes` with one look-up of their keys.
pub async fn open_envelopes(conn: &mut PgConnection, envelopes: &mut [Envelope]) -> Result<(), sqlx::Error> {
    let events = envelopes
        .iter_mut()
        .map(|e| (e.event_type.as_str(), &mut e.data))
        .collect();
    open_events(conn, events).await
}

/// Whose data an event holds: the lead its data names (`lead_id`), else its stream's subject.
pub fn subject_of(data: &Value, stream_subject: Option<Uuid>) -> Option<Uuid> {
    data.get("lead_id")
        .and_then(Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
        .or(stream_subject)
}

/// Seals the personal fields of `data` (an event of `event_type`) for `subject`.
pub fn seal(event_type: &str, data: &mut Value, subject: Uuid, keys: &SubjectKeys) {
    let cipher = keys.cipher(subject);
    for (path, shredded) in personal_fields(event_type) {
        at_path(data, path, &mut |value| {
            if !value.is_null() {
                *value = match &cipher {
                    Some(cipher) => sealed(cipher, subject, path, value),
                    None => placeholder(*shredded),
                };
            }
        });
    }
}

/// The subjects whose keys opening `data` (an event of `event_type`) needs.
fn sealed_subjects(event_type: &str, data: &Value, into: &mut Vec<Uuid>) {
    for (path, _) in personal_fields(event_type) {
        values_at_path(data, path, &mut |value| {
            into.extend(sealed_parts(value).map(|(s, _)| s))
        });
    }
}

/// Opens the sealed fields of `data` (an event of `event_type`); a field whose key is gone
/// reads as the domain says an erased field reads.
pub fn open(event_type: &str, data: &mut Value, keys: &SubjectKeys) {
    for (path, shredded) in personal_fields(event_type) {
        at_path(data, path, &mut |value| {
            if let Some((subject, bytes)) = sealed_parts(value) {
                *value = keys
                    .cipher(subject)
                    .and_then(|cipher| opened(&cipher, subject, path, &bytes))
                    .unwrap_or_else(|| placeholder(*shredded));
            }
        });
    }
}

/// Seals a whole document (an aggregate's snapshot) for `subject`; `None` once the subject is
/// erased (a snapshot of an erased person is not kept).
pub fn seal_document(document: &Value, subject: Uuid, keys: &SubjectKeys) -> Option<Value> {
    keys.cipher(subject)
        .map(|cipher| sealed(&cipher, subject, DOCUMENT, document))
}

/// The subject a sealed document was sealed for.
pub fn document_subject(document: &Value) -> Option<Uuid> {
    sealed_parts(document).map(|(subject, _)| subject)
}

/// Opens a document sealed by [`seal_document`]; `None` if its key is gone or it is not sealed.
pub fn open_document(document: &Value, keys: &SubjectKeys) -> Option<Value> {
    let (subject, bytes) = sealed_parts(document)?;
    opened(&keys.cipher(subject)?, subject, DOCUMENT, &bytes)
}

fn sealed(cipher: &ChaCha20Poly1305, subject: Uuid, path: &str, value: &Value) -> Value {
    let mut nonce = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut nonce);
    let plain = value.to_string();
    let aad = associated_data(subject, path);
    // Encryption fails only for inputs beyond ChaCha20's 256 GiB limit.
    let Ok(ciphertext) = cipher.encrypt(
        Nonce::from_slice(&nonce),
        Payload {
            msg: plain.as_bytes(),
            aad: &aad,
        },
    ) else {
        return Value::Null;
    };
    let mut bytes = nonce.to_vec();
    bytes.extend(ciphertext);
    json!({ "sealed": STANDARD.encode(bytes), "subject": subject })
}

fn opened(cipher: &ChaCha20Poly1305, subject: Uuid, path: &str, bytes: &[u8]) -> Option<Value> {
    if bytes.len() < 12 {
        return None;
    }
    let (nonce, ciphertext) = bytes.split_at(12);
    let aad = associated_data(subject, path);
    let plain = cipher
        .decrypt(
            Nonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: &aad,
            },
        )
        .ok()?;
    serde_json::from_slice(&plain).ok()
}

fn associated_data(subject: Uuid, path: &str) -> Vec<u8> {
    let mut aad = subject.as_bytes().to_vec();
    aad.extend_from_slice(path.as_bytes());
    aad
}

/// The subject and bytes of a sealed value; `None` for anything else.
fn sealed_parts(value: &Value) -> Option<(Uuid, Vec<u8>)> {
    let object = value.as_object().filter(|o| o.len() == 2)?;
    let subject = Uuid::parse_str(object.get("subject")?.as_str()?).ok()?;
    let bytes = STANDARD.decode(object.get("sealed")?.as_str()?).ok()?;
    Some((subject, bytes))
}

fn placeholder(shredded: Shredded) -> Value {
    match shredded {
        Shredded::Null => Value::Null,
        Shredded::Text => Value::String(ERASED_TEXT.to_string()),
        Shredded::Empty => json!({}),
    }
}

/// Calls `f` on every value at `path` in `data` (`*` steps into every element of a list).
fn at_path(data: &mut Value, path: &str, f: &mut dyn FnMut(&mut Value)) {
    match path.split_once('/') {
        None => step(data, path, &mut |v| f(v)),
        Some((head, rest)) => step(data, head, &mut |v| at_path(v, rest, f)),
    }
}

fn step(data: &mut Value, key: &str, f: &mut dyn FnMut(&mut Value)) {
    match (key, data) {
        ("*", Value::Array(items)) => items.iter_mut().for_each(f),
        (key, Value::Object(map)) => {
            if let Some(value) = map.get_mut(key) {
                f(value)
            }
        }
        _ => {}
    }
}

/// Calls `f` on every value at `path` in `data`, reading only.
fn values_at_path(data: &Value, path: &str, f: &mut dyn FnMut(&Value)) {
    let (head, rest) = path.split_once('/').map_or((path, None), |(h, r)| (h, Some(r)));
    let mut visit = |value: &Value| match rest {
        Some(rest) => values_at_path(value, rest, f),
        None => f(value),
    };
    match (head, data) {
        ("*", Value::Array(items)) => items.iter().for_each(&mut visit),
        (key, Value::Object(map)) => map.get(key).into_iter().for_each(&mut visit),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(subject: Uuid) -> SubjectKeys {
        SubjectKeys(HashMap::from([(subject, Some(*Key::from_slice(&[7u8; 32])))]))
    }

    fn created() -> Value {
        json!({"lead_id": Uuid::nil(), "name": "Zelda Quux", "email": "zq@example.com", "phone": null,
               "metadata": {"k": "v"}, "company": "Acme", "tags": ["a"]})
    }

    #[test]
    fn sealed_fields_hide_the_person_and_open_with_the_key() {
        let subject = Uuid::new_v4();
        let mut data = created();
        seal("lead.created", &mut data, subject, &keys(subject));
        let stored = data.to_string();
        assert!(!stored.contains("Zelda") && !stored.contains("zq@example.com") && !stored.contains("\"k\""));
        assert_eq!(data["company"], "Acme", "what is not personal stays readable");
        assert_eq!(data["phone"], Value::Null, "nothing is sealed where there was nothing");
        let mut subjects = vec![];
        sealed_subjects("lead.created", &data, &mut subjects);
        assert_eq!(subjects, vec![subject; 3]);
        open("lead.created", &mut data, &keys(subject));
        assert_eq!(data, created());
    }

    #[test]
    fn without_the_key_fields_read_as_erased() {
        let subject = Uuid::new_v4();
        let mut data = json!({"to": "+15550001", "body": "call me", "subject": "hi", "channel": "sms"});
        seal("lead.message_sent", &mut data, subject, &keys(subject));
        open("lead.message_sent", &mut data, &SubjectKeys::default());
        assert_eq!(
            data,
            json!({"to": ERASED_TEXT, "body": ERASED_TEXT, "subject": null, "channel": "sms"})
        );
    }

    #[test]
    fn an_erased_subject_is_shredded_when_written() {
        let subject = Uuid::new_v4();
        let erased = SubjectKeys(HashMap::from([(subject, None)]));
        let mut data = created();
        seal("lead.created", &mut data, subject, &erased);
        assert_eq!(data["name"], Value::Null);
        assert_eq!(data["metadata"], json!({}));
        assert_eq!(seal_document(&created(), subject, &erased), None);
    }

    #[test]
    fn a_sealed_value_cannot_be_moved_to_another_field() {
        let subject = Uuid::new_v4();
        let mut data = created();
        seal("lead.created", &mut data, subject, &keys(subject));
        data["email"] = data["name"].clone();
        open("lead.created", &mut data, &keys(subject));
        assert_eq!(
            data["email"],
            Value::Null,
            "bound to its path, the moved value does not open"
        );
        assert_eq!(data["name"], "Zelda Quux");
    }

    #[test]
    fn lists_are_sealed_element_by_element_and_documents_whole() {
        let subject = Uuid::new_v4();
        let mut data = json!({"touchpoints": [{"message": "a", "day": 1}, {"message": "b", "day": 2}]});
        seal("sequence.started", &mut data, subject, &keys(subject));
        assert_eq!(data["touchpoints"][1]["day"], 2);
        assert!(data["touchpoints"][0]["message"].get("sealed").is_some());
        let document = seal_document(&created(), subject, &keys(subject)).expect("sealed");
        assert_eq!(document_subject(&document), Some(subject));
        assert_eq!(open_document(&document, &keys(subject)), Some(created()));
        assert_eq!(open_document(&document, &SubjectKeys::default()), None);
    }

    #[test]
    fn an_event_naming_its_lead_is_sealed_for_that_lead() {
        let lead = Uuid::new_v4();
        let batch = Uuid::new_v4();
        assert_eq!(subject_of(&json!({"lead_id": lead}), Some(batch)), Some(lead));
        assert_eq!(subject_of(&json!({"index": 1}), Some(batch)), Some(batch));
    }
}
