use super::*;

const EC1057: &str = include_str!("../../../../standards/EC1057.toml");

#[test]
fn ec1057_loads() {
    let s = parse("EC1057.toml", EC1057).unwrap();
    assert_eq!(s.code, "EC1057");
    assert_eq!(s.level, 3);
    assert_eq!(s.element_codes(), ["E0001", "E0002", "E0003", "E0004"]);
    assert!(s.elements.iter().all(|e| !e.criteria.is_empty()));
}

#[test]
fn hash_ignores_comments_but_not_content() {
    let a = parse("a", EC1057).unwrap().content_hash();
    let b = parse("b", &format!("# another comment\n{EC1057}"))
        .unwrap()
        .content_hash();
    assert_eq!(a, b);
    let c = parse("c", &EC1057.replace("level = 3", "level = 4"))
        .unwrap()
        .content_hash();
    assert_ne!(a, c);
}

#[test]
fn hash_is_canonical_json_stable_under_field_order_and_defaulted_additions() {
    let s = parse("a", EC1057).unwrap();
    let value = serde_json::to_value(&s).unwrap();
    let canonical = crate::canonical::canonical_json(&value);
    assert_eq!(s.content_hash(), hex::encode(Sha256::digest(&canonical)));
    // The same content with its fields in another order hashes the same.
    let mut reordered: Vec<(String, serde_json::Value)> = value.as_object().unwrap().clone().into_iter().collect();
    reordered.reverse();
    let text = format!(
        "{{{}}}",
        reordered
            .iter()
            .map(|(k, v)| format!("{}:{v}", serde_json::Value::String(k.clone())))
            .collect::<Vec<_>>()
            .join(",")
    );
    let back: Standard = serde_json::from_str(&text).unwrap();
    assert_eq!(back.content_hash(), s.content_hash());
    // A later version of the format with a field that stays out while it holds its default.
    #[derive(Serialize)]
    struct Later<'a> {
        #[serde(flatten)]
        standard: &'a Standard,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        sector: Option<String>,
    }
    let later = serde_json::to_value(Later {
        standard: &s,
        sector: None,
    })
    .unwrap();
    assert_eq!(
        hex::encode(Sha256::digest(crate::canonical::canonical_json(&later))),
        s.content_hash()
    );
    // The legacy hash is serde's field order, which the canonical one is not.
    assert_ne!(s.legacy_content_hash(), s.content_hash());
}

fn problems(text: &str) -> Vec<StandardProblem> {
    parse("x.toml", text).unwrap_err().problems
}

#[test]
fn every_problem_has_line_and_field() {
    let bad = EC1057
        .replace("level = 3", "level = 7")
        .replace("code = \"E0002\"", "code = \"E0001\"")
        .replace("diagnostic_threshold = 70", "diagnostic_threshold = 170");
    let p = problems(&bad);
    let fields: Vec<_> = p.iter().map(|p| p.field.as_str()).collect();
    assert!(fields.contains(&"level"), "{p:?}");
    assert!(fields.contains(&"diagnostic_threshold"), "{p:?}");
    assert!(fields.contains(&"elements[2].code"), "{p:?}");
    let level_line = EC1057.lines().position(|l| l.starts_with("level")).unwrap() + 1;
    assert_eq!(p.iter().find(|p| p.field == "level").unwrap().line, level_line);
}

#[test]
fn missing_field_and_unknown_field_are_named() {
    let p = problems(&EC1057.replace("title = \"Garantizar", "titel = \"Garantizar"));
    assert_eq!(p.len(), 1);
    assert!(
        matches!(&p[0].problem, Issue::Toml { detail } if detail.contains("titel")),
        "{p:?}"
    );
    let p = problems("code = \"EC1057\"\n");
    assert!(
        matches!(&p[0].problem, Issue::Toml { detail } if detail.contains("missing field")),
        "{p:?}"
    );
}

#[test]
fn knowledge_needs_a_level_and_items_must_exist() {
    let p = problems(&EC1057.replacen("knowledge_level = \"comprension\"\n", "", 1));
    assert!(
        p.iter().any(|p| p.field == "elements[1].criteria[4].knowledge_level"),
        "{p:?}"
    );
    let p = problems(&EC1057.replace(
        "items = [\"La manera en que orienta a la persona solicitante con trato respetuoso y lenguaje claro\"]",
        "items = []",
    ));
    assert!(p.iter().any(|p| p.field == "elements[1].criteria[5].items"), "{p:?}");
}

#[test]
fn no_elements_is_refused() {
    let head = EC1057.split("[[elements]]").next().unwrap();
    let p = problems(head);
    assert_eq!(p[0].field, "elements");
}

proptest::proptest! {
    /// Any text, valid TOML or not, gives a standard or a typed error, never a panic.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        let _ = parse("fuzz.toml", &text);
    }

    /// Mutations of the real file: each byte range replaced by arbitrary text.
    #[test]
    fn mutated_ec1057_never_panics(at in 0usize..9000, len in 0usize..40, with in "\\PC{0,20}") {
        let text = include_str!("../../../../standards/EC1057.toml");
        let start = text.char_indices().map(|(i, _)| i).find(|&i| i >= at.min(text.len())).unwrap_or(text.len());
        let end = text.char_indices().map(|(i, _)| i).find(|&i| i >= (start + len).min(text.len())).unwrap_or(text.len());
        let mutated = format!("{}{}{}", &text[..start], with, &text[end..]);
        let _ = parse("EC1057.toml", &mutated);
    }
}
