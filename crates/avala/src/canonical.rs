//! JSON Canonicalization Scheme (RFC 8785) for the values avala hashes and signs: standards'
//! content hashes, certificate payloads, Open Badges proofs.

use serde_json::Value;

/// JSON Canonicalization Scheme (RFC 8785) for the values avala signs: object members sorted by
/// key, no insignificant whitespace, strings escaped as ECMAScript does. Numbers are integers.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_canonical(value, &mut out);
    out
}

fn write_canonical(value: &Value, out: &mut String) {
    match value {
        Value::Object(map) => {
            let mut entries: Vec<(&String, &Value)> = map.iter().collect();
            // RFC 8785 orders by UTF-16 code units.
            entries.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (k, v)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&Value::String(k.clone()).to_string());
                out.push(':');
                write_canonical(v, out);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, v) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(v, out);
            }
            out.push(']');
        }
        other => out.push_str(&other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_and_has_no_whitespace() {
        let v: Value = serde_json::from_str(r#"{"b": [1, {"z": null, "a": "é\n"}], "a": true}"#).unwrap();
        assert_eq!(canonical_json(&v), r#"{"a":true,"b":[1,{"a":"é\n","z":null}]}"#);
    }

    #[test]
    fn keys_are_ordered_by_utf16_code_units() {
        // RFC 8785 §3.2.3: "\u{10000}" (a surrogate pair, D800…) sorts before "\u{e000}".
        let v: Value = serde_json::from_str("{\"\u{e000}\": 1, \"\u{10000}\": 2}").unwrap();
        assert_eq!(canonical_json(&v), "{\"\u{10000}\":2,\"\u{e000}\":1}");
    }
}
