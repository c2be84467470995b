//! Signed checkpoints of the audit log and inclusion proofs of one event, in the manner of
//! Certificate Transparency's signed tree heads (RFC 9162), with no database: what an auditor,
//! or a short script in another language, needs to check them. The format is in
//! `docs/AUDIT.md`.
//!
//! - An event's digest is SHA-256 of its RFC 8785 canonical JSON `{actor, at, kind, payload,
//!   seq, stream, v}`; from version 2 on, its chain hash is SHA-256(previous hash ‖ digest),
//!   both as 32 raw bytes, so a link can be checked from the digest alone, without the
//!   event's contents.
//! - A checkpoint's leaves are the streams, sorted by the bytes of their names, each
//!   `{head, length, stream}`: how many events the stream had and the hash of its last one. Its
//!   root is the RFC 9162 Merkle tree hash of SHA-256(0x00 ‖ canonical leaf), nodes
//!   SHA-256(0x01 ‖ left ‖ right).
//! - The issuer key signs [`CONTEXT`] ‖ the canonical [`Head`]; a certificate's signature is
//!   over its payload's canonical JSON, which begins with `{`, so neither can pass for the
//!   other.

use ed25519_dalek::{Signature, Signer as _, SigningKey, Verifier as _, VerifyingKey};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::canonical::canonical_json;
use crate::error::{ForgeProblem, ProofProblem};

/// What a checkpoint signature signs before the head: its own context, never a certificate's.
pub const CONTEXT: &[u8] = b"avala audit checkpoint v1\n";
/// The `format` of a checkpoint file.
pub const FILE_FORMAT: &str = "avala-checkpoint/1";
/// The `format` of an inclusion proof.
pub const PROOF_FORMAT: &str = "avala-proof/1";
/// The chain version of events whose link is over their digest.
pub const DIGEST_CHAINED: i64 = 2;

/// A SHA-256 value.
pub type Hash = [u8; 32];

/// SHA-256 of the canonical JSON of an event (`v` 2 on).
pub fn event_digest(event: &Value) -> Hash {
    Sha256::digest(canonical_json(event).as_bytes()).into()
}

/// The chain hash of an event (`v` 2 on) after `prev`.
pub fn link(prev: &Hash, digest: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(digest);
    h.finalize().into()
}

/// A hash from its hex form.
pub fn unhex(text: &str) -> Option<Hash> {
    let mut out = [0u8; 32];
    hex::decode_to_slice(text, &mut out).ok()?;
    Some(out)
}

/// One stream as a checkpoint saw it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Leaf {
    /// The stream.
    pub stream: String,
    /// Its number of events.
    pub length: i64,
    /// The hash of its last event, hex.
    pub head: String,
}

impl Leaf {
    /// Its leaf hash: SHA-256(0x00 ‖ canonical JSON).
    pub fn hash(&self) -> Hash {
        let body = json!({"head": self.head, "length": self.length, "stream": self.stream});
        let mut h = Sha256::new();
        h.update([0u8]);
        h.update(canonical_json(&body).as_bytes());
        h.finalize().into()
    }
}

fn node(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// A Merkle tree hash built one leaf at a time in memory logarithmic in the number of leaves:
/// the tree of RFC 9162 §2.1.1, whose left subtree holds the largest power of two of leaves.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    stack: Vec<(u64, Hash)>,
    size: u64,
}

impl Tree {
    /// Adds the next leaf hash.
    pub fn push(&mut self, leaf: Hash) {
        self.size += 1;
        let mut top = (1u64, leaf);
        while let Some(&(size, left)) = self.stack.last() {
            if size != top.0 {
                break;
            }
            self.stack.pop();
            top = (size * 2, node(&left, &top.1));
        }
        self.stack.push(top);
    }

    /// How many leaves.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The root (SHA-256 of nothing for no leaves).
    pub fn root(&self) -> Hash {
        let mut it = self.stack.iter().rev();
        let Some(&(_, mut acc)) = it.next() else {
            return Sha256::digest([]).into();
        };
        for (_, left) in it {
            acc = node(left, &acc);
        }
        acc
    }
}

/// The root of `leaves`.
pub fn root_of(leaves: &[Hash]) -> Hash {
    let mut tree = Tree::default();
    leaves.iter().for_each(|l| tree.push(*l));
    tree.root()
}

/// The inclusion path of leaf `m` among `leaves` (RFC 9162 §2.1.3.1).
pub fn path(leaves: &[Hash], m: usize) -> Vec<Hash> {
    let n = leaves.len();
    if n <= 1 {
        return Vec::new();
    }
    // The largest power of two below n.
    let mut k = 1;
    while k * 2 < n {
        k *= 2;
    }
    if m < k {
        let mut p = path(&leaves[..k], m);
        p.push(root_of(&leaves[k..]));
        p
    } else {
        let mut p = path(&leaves[k..], m - k);
        p.push(root_of(&leaves[..k]));
        p
    }
}

/// The root an inclusion path leads to (RFC 9162 §2.1.3.2), or `None` if it cannot.
pub fn root_from_path(leaf: Hash, index: u64, size: u64, path: &[Hash]) -> Option<Hash> {
    if index >= size {
        return None;
    }
    let (mut f, mut s, mut r) = (index, size - 1, leaf);
    for p in path {
        if s == 0 {
            return None;
        }
        if f & 1 == 1 || f == s {
            r = node(p, &r);
            while f & 1 == 0 && f != 0 {
                f >>= 1;
                s >>= 1;
            }
        } else {
            r = node(&r, p);
        }
        f >>= 1;
        s >>= 1;
    }
    (s == 0).then_some(r)
}

/// What a checkpoint signs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Head {
    /// Format version (1).
    pub v: i64,
    /// The Merkle root over the streams, hex.
    pub root: String,
    /// Number of streams (leaves).
    pub streams: u64,
    /// Number of events.
    pub events: u64,
    /// The last event row it covers: the log up to it is what it saw.
    pub last_event: i64,
    /// When it was taken (RFC 3339, UTC, microseconds).
    pub at: String,
    /// The key that signed it.
    pub key_id: String,
}

impl Head {
    /// The signed message: [`CONTEXT`] then the canonical head.
    pub fn message(&self) -> Vec<u8> {
        let mut m = CONTEXT.to_vec();
        m.extend_from_slice(canonical_json(&serde_json::to_value(self).unwrap_or(Value::Null)).as_bytes());
        m
    }

    /// Its signature by `key`, base64url.
    pub fn sign(&self, key: &SigningKey) -> String {
        b64(&key.sign(&self.message()).to_bytes())
    }

    /// Checks `signature` by `public_key` (hex), which must be the key `key_id` names.
    pub fn check_signature(&self, public_key: &str, signature: &str) -> Result<VerifyingKey, ForgeProblem> {
        let key = public_key_of(public_key).ok_or(ForgeProblem::Format {
            detail: "public_key".into(),
        })?;
        if crate::certificate::key_id(&key) != self.key_id {
            return Err(ForgeProblem::KeyId);
        }
        let signature = unb64(signature)
            .and_then(|b| <[u8; 64]>::try_from(b).ok())
            .ok_or(ForgeProblem::Signature)?;
        key.verify(&self.message(), &Signature::from_bytes(&signature))
            .map_err(|_| ForgeProblem::Signature)?;
        Ok(key)
    }
}

fn public_key_of(text: &str) -> Option<VerifyingKey> {
    let bytes = <[u8; 32]>::try_from(hex::decode(text).ok()?).ok()?;
    VerifyingKey::from_bytes(&bytes).ok()
}

fn b64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

fn unb64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(text).ok()
}

/// A checkpoint as written to a file and e-mailed: the signed head, its signature, the
/// public key and every leaf, so that the database can be compared stream by stream.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckpointFile {
    /// [`FILE_FORMAT`].
    pub format: String,
    /// Its number in the issuing database.
    pub id: i64,
    /// What was signed.
    pub checkpoint: Head,
    /// The signature, base64url.
    pub signature: String,
    /// The issuer's public key, hex.
    pub public_key: String,
    /// Every stream, sorted by name.
    pub streams: Vec<Leaf>,
}

impl CheckpointFile {
    /// Reads one, checking that it holds together: the format, the signature by the key it
    /// names, the leaves in order and hashing to the signed root. Whether the key is the
    /// issuer's is for the caller to say.
    pub fn parse(text: &str) -> Result<CheckpointFile, ForgeProblem> {
        let file: CheckpointFile =
            serde_json::from_str(text).map_err(|e| ForgeProblem::Format { detail: e.to_string() })?;
        if file.format != FILE_FORMAT || file.checkpoint.v != 1 {
            return Err(ForgeProblem::Format {
                detail: format!("format {} v{}", file.format, file.checkpoint.v),
            });
        }
        file.checkpoint.check_signature(&file.public_key, &file.signature)?;
        let sorted = file
            .streams
            .windows(2)
            .all(|w| w[0].stream.as_bytes() < w[1].stream.as_bytes());
        let leaves: Vec<Hash> = file.streams.iter().map(Leaf::hash).collect();
        if !sorted
            || file.streams.len() as u64 != file.checkpoint.streams
            || hex::encode(root_of(&leaves)) != file.checkpoint.root
        {
            return Err(ForgeProblem::Root);
        }
        Ok(file)
    }

    /// The leaf of `stream`.
    pub fn leaf(&self, stream: &str) -> Option<(usize, &Leaf)> {
        let i = self
            .streams
            .binary_search_by(|l| l.stream.as_bytes().cmp(stream.as_bytes()))
            .ok()?;
        Some((i, &self.streams[i]))
    }
}

/// An event as a proof shows it: exactly what its digest is over.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvenEvent {
    /// Who did it.
    pub actor: String,
    /// When (RFC 3339, UTC, microseconds).
    pub at: String,
    /// What happened.
    pub kind: String,
    /// Its details.
    pub payload: Value,
    /// Its place in the stream.
    pub seq: i64,
    /// Its stream.
    pub stream: String,
    /// Its chain version ([`DIGEST_CHAINED`]).
    pub v: i64,
}

impl ProvenEvent {
    /// Its digest.
    pub fn digest(&self) -> Hash {
        event_digest(&serde_json::to_value(self).unwrap_or(Value::Null))
    }
}

/// An inclusion proof of one event in a signed checkpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    /// [`PROOF_FORMAT`].
    pub format: String,
    /// The event.
    pub event: ProvenEvent,
    /// The chain hash before it, hex.
    pub prev: String,
    /// The digests of the events after it up to the checkpoint's length, hex, in order.
    pub later: Vec<String>,
    /// Its stream's leaf in the checkpoint.
    pub leaf: Leaf,
    /// The leaf's index among the checkpoint's streams.
    pub index: u64,
    /// The Merkle path from the leaf to the root, hex.
    pub path: Vec<String>,
    /// The checkpoint.
    pub checkpoint: Head,
    /// Its signature, base64url.
    pub signature: String,
    /// The issuer's public key, hex.
    pub public_key: String,
}

impl Proof {
    /// Checks it all: the event leads through `later` to its stream's head, the leaf through
    /// the path to the root, and the root is signed by the key given. Returns that key.
    pub fn check(&self) -> Result<VerifyingKey, ProofProblem> {
        if self.format != PROOF_FORMAT || self.checkpoint.v != 1 {
            return Err(ProofProblem::Format {
                detail: format!("format {} v{}", self.format, self.checkpoint.v),
            });
        }
        if self.event.v != DIGEST_CHAINED {
            return Err(ProofProblem::Version { v: self.event.v });
        }
        let bad = |what: &str| ProofProblem::Format { detail: what.into() };
        let mut h = unhex(&self.prev).ok_or_else(|| bad("prev"))?;
        h = link(&h, &self.event.digest());
        for d in &self.later {
            h = link(&h, &unhex(d).ok_or_else(|| bad("later"))?);
        }
        if self.leaf.stream != self.event.stream || self.leaf.length != self.event.seq + self.later.len() as i64 {
            return Err(ProofProblem::Leaf);
        }
        if hex::encode(h) != self.leaf.head {
            return Err(ProofProblem::Event);
        }
        let path = self
            .path
            .iter()
            .map(|p| unhex(p).ok_or_else(|| bad("path")))
            .collect::<Result<Vec<_>, _>>()?;
        let root = root_from_path(self.leaf.hash(), self.index, self.checkpoint.streams, &path);
        if root.map(hex::encode).as_deref() != Some(self.checkpoint.root.as_str()) {
            return Err(ProofProblem::Path);
        }
        self.checkpoint
            .check_signature(&self.public_key, &self.signature)
            .map_err(|p| match p {
                ForgeProblem::KeyId => ProofProblem::KeyId,
                _ => ProofProblem::Signature,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn leaves(n: usize) -> Vec<Hash> {
        (0..n)
            .map(|i| {
                Leaf {
                    stream: format!("s{i:04}"),
                    length: i as i64 + 1,
                    head: "00".repeat(32),
                }
                .hash()
            })
            .collect()
    }

    /// RFC 9162's MTH, written as the RFC defines it.
    fn mth(d: &[Hash]) -> Hash {
        match d.len() {
            0 => Sha256::digest([]).into(),
            1 => d[0],
            n => {
                let mut k = 1;
                while k * 2 < n {
                    k *= 2;
                }
                node(&mth(&d[..k]), &mth(&d[k..]))
            }
        }
    }

    #[test]
    fn the_tree_is_rfc_9162s_and_every_path_leads_to_its_root() {
        for n in 0..40 {
            let d = leaves(n);
            assert_eq!(root_of(&d), mth(&d), "{n} leaves");
            for m in 0..n {
                let p = path(&d, m);
                assert_eq!(
                    root_from_path(d[m], m as u64, n as u64, &p),
                    Some(mth(&d)),
                    "leaf {m} of {n}"
                );
                // The same path does not prove another leaf, nor the leaf at another index.
                if n > 1 {
                    let other = (m + 1) % n;
                    assert_ne!(root_from_path(d[other], m as u64, n as u64, &p), Some(mth(&d)));
                    assert_ne!(root_from_path(d[m], other as u64, n as u64, &p), Some(mth(&d)));
                }
            }
        }
    }

    #[test]
    fn a_checkpoint_signature_is_not_a_certificate_signature() {
        let key = SigningKey::from_bytes(&[7u8; 32]);
        let head = Head {
            v: 1,
            root: "ab".repeat(32),
            streams: 3,
            events: 9,
            last_event: 9,
            at: "2026-12-04T20:00:00.000000Z".into(),
            key_id: crate::certificate::key_id(&key.verifying_key()),
        };
        let public = hex::encode(key.verifying_key().as_bytes());
        let signature = head.sign(&key);
        assert!(head.check_signature(&public, &signature).is_ok());
        // A signature over the bare canonical head (what a certificate's is) does not pass.
        let bare = b64(&key
            .sign(canonical_json(&serde_json::to_value(&head).unwrap()).as_bytes())
            .to_bytes());
        assert_eq!(head.check_signature(&public, &bare), Err(ForgeProblem::Signature));
        let mut changed = head.clone();
        changed.events = 10;
        assert_eq!(
            changed.check_signature(&public, &signature),
            Err(ForgeProblem::Signature)
        );
    }
}
