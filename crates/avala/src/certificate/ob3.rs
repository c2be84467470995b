//! Open Badges 3.0: the certificate as an `AchievementCredential`, secured with a W3C Data
//! Integrity proof using the `eddsa-jcs-2022` cryptosuite and the issuer's Ed25519 key.
//!
//! The issuer is identified by the `did:key` of its signing key, so the credential verifies
//! offline; the recipient is a salted SHA-256 of the e-mail address, never the address.

use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use super::signed::canonical_json;
use crate::standard::{CriterionKind, Standard};

/// The JSON-LD contexts of an OB 3.0 credential.
pub const CONTEXTS: [&str; 2] = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
];

/// Multicodec prefix of an Ed25519 public key.
const ED25519_PUB: [u8; 2] = [0xed, 0x01];

/// `z6Mk…`: the multibase (base58btc) multikey of an Ed25519 public key.
pub fn multikey(key: &VerifyingKey) -> String {
    let mut bytes = ED25519_PUB.to_vec();
    bytes.extend_from_slice(key.as_bytes());
    format!("z{}", bs58::encode(bytes).into_string())
}

/// Reads a `z6Mk…` multikey.
pub fn parse_multikey(text: &str) -> Option<VerifyingKey> {
    let bytes = bs58::decode(text.strip_prefix('z')?).into_vec().ok()?;
    let key: [u8; 32] = bytes.strip_prefix(&ED25519_PUB)?.try_into().ok()?;
    VerifyingKey::from_bytes(&key).ok()
}

/// `did:key:z6Mk…` of an issuer key.
pub fn did_key(key: &VerifyingKey) -> String {
    format!("did:key:{}", multikey(key))
}

/// What goes into the credential.
#[derive(Debug, Clone)]
pub struct Ob3Certificate<'a> {
    /// Folio.
    pub folio: &'a str,
    /// Holder's name.
    pub holder: &'a str,
    /// Holder's e-mail (only its salted hash is written).
    pub email: &'a str,
    /// The standard, with its elements and criteria.
    pub standard: &'a Standard,
    /// Issued (RFC 3339).
    pub issued_at: &'a str,
    /// Valid until (RFC 3339).
    pub expires_at: &'a str,
    /// Issuer's name.
    pub issuer: &'a str,
}

fn kind_es(kind: CriterionKind) -> &'static str {
    match kind {
        CriterionKind::Performance => "Desempeño",
        CriterionKind::Product => "Producto",
        CriterionKind::Knowledge => "Conocimiento",
        CriterionKind::Attitude => "Actitud/hábito/valor",
        CriterionKind::Emergent => "Respuesta ante situación emergente",
    }
}

/// The standard's elements and criteria as the Achievement's criteria narrative (Markdown).
fn criteria_narrative(standard: &Standard) -> String {
    let mut out = String::new();
    for element in &standard.elements {
        out.push_str(&format!("## {} {}\n\n", element.code, element.title));
        for c in &element.criteria {
            out.push_str(&format!("**{}: {}**\n\n", kind_es(c.kind), c.heading));
            for item in &c.items {
                out.push_str(&format!("- {item}\n"));
            }
            out.push('\n');
        }
    }
    out.trim_end().to_string()
}

/// The unsigned credential. `salt` salts the recipient's e-mail hash.
pub fn credential(c: &Ob3Certificate<'_>, key: &VerifyingKey, salt: &str) -> Value {
    let s = c.standard;
    let identity = format!(
        "sha256${}",
        hex::encode(Sha256::digest(format!("{}{salt}", c.email.trim().to_lowercase())))
    );
    json!({
        "@context": CONTEXTS,
        "id": format!("urn:avala:certificate:{}", c.folio),
        "type": ["VerifiableCredential", "AchievementCredential"],
        "name": format!("Certificado de competencia laboral {} — {}", s.code, c.holder),
        "issuer": {
            "id": did_key(key),
            "type": ["Profile"],
            "name": c.issuer,
        },
        "validFrom": c.issued_at,
        "validUntil": c.expires_at,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "name": c.holder,
            "identifier": [{
                "type": "IdentityObject",
                "identityType": "emailAddress",
                "hashed": true,
                "identityHash": identity,
                "salt": salt,
            }],
            "result": [{
                "type": ["Result"],
                "value": "Competente",
            }],
            "achievement": {
                "id": format!("urn:avala:standard:{}:{}", s.code, s.version),
                "type": ["Achievement"],
                "achievementType": "Certificate",
                "humanCode": s.code,
                "name": s.title,
                "description": s.purpose,
                "version": s.version,
                "tag": [format!("nivel {}", s.level), "CONOCER".to_string()],
                "criteria": { "narrative": criteria_narrative(s) },
            },
        },
    })
}

/// The `eddsa-jcs-2022` hash data: SHA-256 of the canonical proof configuration followed by
/// SHA-256 of the canonical document (vc-di-eddsa, "Hashing (eddsa-jcs-2022)").
pub fn hash_data(document: &Value, proof_config: &Value) -> Vec<u8> {
    let mut out = Sha256::digest(canonical_json(proof_config)).to_vec();
    out.extend_from_slice(&Sha256::digest(canonical_json(document)));
    out
}

/// Adds a `DataIntegrityProof` (`eddsa-jcs-2022`) made with `key` at `created`.
pub fn sign(document: &Value, key: &SigningKey, verification_method: &str, created: &str) -> Value {
    let mut unsecured = document.clone();
    if let Some(map) = unsecured.as_object_mut() {
        map.remove("proof");
    }
    let mut proof = json!({
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-jcs-2022",
        "created": created,
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
    });
    if let Some(context) = unsecured.get("@context") {
        proof["@context"] = context.clone();
    }
    let signature = key.sign(&hash_data(&unsecured, &proof));
    proof["proofValue"] = Value::String(format!("z{}", bs58::encode(signature.to_bytes()).into_string()));
    let mut secured = unsecured;
    secured["proof"] = proof;
    secured
}

/// Signs the credential with the issuer key, naming it by its `did:key`.
pub fn sign_credential(credential: &Value, key: &SigningKey, created: &str) -> Value {
    let mk = multikey(&key.verifying_key());
    sign(credential, key, &format!("did:key:{mk}#{mk}"), created)
}

/// Why an OB3 document does not verify (worded by the message catalogue).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "proof_problem", rename_all = "snake_case")]
pub enum ProofError {
    /// It has no proof.
    NoProof,
    /// The proof is not a DataIntegrityProof with the eddsa-jcs-2022 cryptosuite.
    WrongSuite,
    /// No verificationMethod.
    NoMethod,
    /// The verificationMethod is not an Ed25519 multikey.
    NotAMultikey,
    /// No proofValue.
    NoValue,
    /// The proofValue is not a base58btc signature.
    BadValue,
    /// The proof does not verify.
    BadSignature,
}

impl std::error::Error for ProofError {}

/// Checks a document's `eddsa-jcs-2022` proof; returns the public key it was made with (from
/// the verification method), for the caller to check against the issuer's key set. A proof
/// set (`proof` an array, as the Open Badges 3.0 examples write it) gives the key of its
/// first proof that verifies: see [`verify_all`].
pub fn verify(secured: &Value) -> Result<VerifyingKey, ProofError> {
    verify_all(secured).map(|keys| keys[0])
}

/// Checks each proof of a document: `proof` is one object or an array of them (a proof set,
/// each made over the document without any proof). Gives the keys of the proofs that verify,
/// at least one; when none does, why: the first problem of a proof in our suite (one
/// another issuer added in a suite of its own does not hide it), or `NoProof`.
pub fn verify_all(secured: &Value) -> Result<Vec<VerifyingKey>, ProofError> {
    let proofs: Vec<&Map<String, Value>> = match secured.get("proof") {
        Some(Value::Object(proof)) => vec![proof],
        Some(Value::Array(set)) => set.iter().filter_map(Value::as_object).collect(),
        _ => Vec::new(),
    };
    let mut unsecured = secured.clone();
    if let Some(map) = unsecured.as_object_mut() {
        map.remove("proof");
    }
    let (mut keys, mut problem) = (Vec::new(), None);
    for proof in proofs {
        match verify_one(&unsecured, proof) {
            Ok(key) => keys.push(key),
            Err(e) => {
                if problem.is_none() || problem == Some(ProofError::WrongSuite) {
                    problem = Some(e);
                }
            }
        }
    }
    if keys.is_empty() {
        return Err(problem.unwrap_or(ProofError::NoProof));
    }
    Ok(keys)
}

/// Checks one proof over the document without its proofs.
fn verify_one(unsecured: &Value, proof: &Map<String, Value>) -> Result<VerifyingKey, ProofError> {
    if proof.get("type").and_then(Value::as_str) != Some("DataIntegrityProof")
        || proof.get("cryptosuite").and_then(Value::as_str) != Some("eddsa-jcs-2022")
    {
        return Err(ProofError::WrongSuite);
    }
    let method = proof
        .get("verificationMethod")
        .and_then(Value::as_str)
        .ok_or(ProofError::NoMethod)?;
    let fragment = method.rsplit_once('#').map(|(_, f)| f).unwrap_or(method);
    let key = parse_multikey(fragment).ok_or(ProofError::NotAMultikey)?;
    let value = proof
        .get("proofValue")
        .and_then(Value::as_str)
        .ok_or(ProofError::NoValue)?;
    let signature: [u8; 64] = value
        .strip_prefix('z')
        .and_then(|v| bs58::decode(v).into_vec().ok())
        .and_then(|b| b.try_into().ok())
        .ok_or(ProofError::BadValue)?;
    let mut config = Value::Object(proof.clone());
    if let Some(map) = config.as_object_mut() {
        map.remove("proofValue");
    }
    // The proof's @context, when present, must be the document's (vc-di-eddsa, verify step).
    if let Some(context) = config.get("@context")
        && Some(context) != unsecured.get("@context")
    {
        return Err(ProofError::BadSignature);
    }
    key.verify(&hash_data(unsecured, &config), &Signature::from_bytes(&signature))
        .map_err(|_| ProofError::BadSignature)?;
    Ok(key)
}

/// A random salt for the recipient hash.
pub fn new_salt() -> String {
    let mut bytes = [0u8; 16];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// W3C vc-di-eddsa test vectors (TestVectors/keyPair.json and eddsa-jcs-2022/*).
    const PRIVATE_KEY_MULTIBASE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
    const PUBLIC_KEY_MULTIBASE: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const COMBINED_HASH: &str = "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db\
                                 59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19";
    /// The signed example credential (signedJCS.json), whose method is an https URL.
    const SIGNED_PROOF_VALUE: &str =
        "z63t83Y53KfzJ5ZosfKTnqfMcKB2dmTrfjSaQjeNNjAD5srBowQfmWqeRb8rRjmeEuCBEsddF9LsVogtuTsijJKh4";

    fn w3c_key() -> SigningKey {
        let bytes = bs58::decode(&PRIVATE_KEY_MULTIBASE[1..]).into_vec().unwrap();
        assert_eq!(&bytes[..2], &[0x80, 0x26], "ed25519-priv multicodec");
        SigningKey::from_bytes(&bytes[2..].try_into().unwrap())
    }

    fn w3c_unsigned() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
        })
    }

    #[test]
    fn matches_the_w3c_eddsa_jcs_2022_test_vectors() {
        let key = w3c_key();
        assert_eq!(multikey(&key.verifying_key()), PUBLIC_KEY_MULTIBASE);
        // proofConfigJCS / proofCanonJCS / combinedHashJCS / sigBTC58JCS: did:key method.
        let secured = sign_credential(&w3c_unsigned(), &key, "2023-02-24T23:36:38Z");
        let proof = &secured["proof"];
        assert_eq!(
            proof["verificationMethod"],
            format!("did:key:{PUBLIC_KEY_MULTIBASE}#{PUBLIC_KEY_MULTIBASE}")
        );
        let mut config = proof.clone();
        config.as_object_mut().unwrap().remove("proofValue");
        assert_eq!(hex::encode(hash_data(&w3c_unsigned(), &config)), COMBINED_HASH);
        assert_eq!(verify(&secured).unwrap(), key.verifying_key());
        // signedJCS.json: the same credential signed with an https verification method.
        let method = format!("https://vc.example/issuers/5678#{PUBLIC_KEY_MULTIBASE}");
        let secured = sign(&w3c_unsigned(), &key, &method, "2023-02-24T23:36:38Z");
        assert_eq!(secured["proof"]["proofValue"], SIGNED_PROOF_VALUE);
        assert_eq!(verify(&secured).unwrap(), key.verifying_key());
    }

    #[test]
    fn any_change_breaks_the_proof() {
        let key = w3c_key();
        let secured = sign_credential(&w3c_unsigned(), &key, "2023-02-24T23:36:38Z");
        assert!(verify(&secured).is_ok());
        let mut changed = secured.clone();
        changed["credentialSubject"]["alumniOf"] = "Another School".into();
        assert_eq!(verify(&changed), Err(ProofError::BadSignature));
        let mut unproven = secured.clone();
        unproven.as_object_mut().unwrap().remove("proof");
        assert!(matches!(verify(&unproven), Err(ProofError::NoProof)));
        assert!(matches!(verify(&json!([1, 2])), Err(ProofError::NoProof)));
    }

    #[test]
    fn a_proof_set_verifies_by_any_of_its_proofs() {
        let key = w3c_key();
        let secured = sign_credential(&w3c_unsigned(), &key, "2023-02-24T23:36:38Z");
        let proof = secured["proof"].clone();
        let with = |proofs: Value| {
            let mut doc = secured.clone();
            doc["proof"] = proofs;
            doc
        };
        // As the Open Badges 3.0 examples write it: an array of one.
        assert_eq!(verify(&with(json!([proof.clone()]))), Ok(key.verifying_key()));
        // Another issuer's proof beside ours, in its suite or in ours.
        let other = SigningKey::from_bytes(&[7; 32]);
        let theirs = sign_credential(&w3c_unsigned(), &other, "2024-01-01T00:00:00Z")["proof"].clone();
        let foreign = json!({"type": "Ed25519Signature2020", "proofValue": "z1"});
        assert_eq!(
            verify_all(&with(json!([foreign.clone(), theirs, proof.clone()]))),
            Ok(vec![other.verifying_key(), key.verifying_key()])
        );
        // None, or none that verifies: refused, with the problem of the proof in our suite.
        assert_eq!(verify(&with(json!([]))), Err(ProofError::NoProof));
        assert_eq!(verify(&with(json!(["proof"]))), Err(ProofError::NoProof));
        let mut broken = proof.clone();
        broken["created"] = "2030-01-01T00:00:00Z".into();
        assert_eq!(verify(&with(json!([broken.clone()]))), Err(ProofError::BadSignature));
        assert_eq!(verify(&with(json!([foreign, broken]))), Err(ProofError::BadSignature));
        let mut changed = with(json!([proof]));
        changed["credentialSubject"]["alumniOf"] = "Another School".into();
        assert_eq!(verify(&changed), Err(ProofError::BadSignature));
    }

    proptest::proptest! {
        /// Arbitrary JSON values and bytes as an Open Badges credential: never a panic.
        #[test]
        fn arbitrary_credentials_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400), name in "\\PC{0,40}") {
            if let Ok(value) = serde_json::from_slice::<Value>(&bytes) {
                let _ = verify(&value);
            }
            let mut signed = sign_credential(&w3c_unsigned(), &w3c_key(), "2023-02-24T23:36:38Z");
            signed["proof"]["proofValue"] = Value::String(format!("z{name}"));
            proptest::prop_assert!(verify(&signed).is_err());
            signed["proof"]["verificationMethod"] = Value::String(name.clone());
            proptest::prop_assert!(verify(&signed).is_err());
        }
    }
}
