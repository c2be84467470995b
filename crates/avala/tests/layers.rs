//! The house in layers (ARCHITECTURE.md): each module of the library imports only from its own
//! floor or the floors below, and the import graph has no circles, at the top level and among
//! the files of each folder. Read off the `crate::` and `super::` paths of the sources (tests
//! and comments left out), so a new import that climbs a floor or closes a circle fails here.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The floors, bottom up; ARCHITECTURE.md says what each module is.
const FLOORS: &[(u8, &[&str])] = &[
    (
        1,
        &[
            "canonical",
            "lang",
            "process",
            "domain",
            "identity",
            "machine",
            "standard",
            "deadlines",
            "error",
            "clock",
            "actor",
            "spreadsheet",
            "files",
        ],
    ),
    (
        2,
        &[
            "store",
            "certificate",
            "checkpoint",
            "config",
            "notices",
            "messages",
            "import",
            "cohort",
        ],
    ),
    (3, &["audit", "replay", "jobs", "mail"]),
    (4, &["engine"]),
    (5, &["worker", "demo"]),
];

/// Names that `crate::` paths reach which are re-exports of lib.rs, not modules.
fn module_of(name: &str) -> Option<&'static str> {
    match name {
        "Lang" => Some("lang"),
        "Error" => Some("error"),
        "Actor" => Some("actor"),
        "Clock" | "FixedClock" | "SystemClock" | "parse_instant" => Some("clock"),
        "on" | "from_row" => Some("store"),
        _ => FLOORS.iter().flat_map(|(_, m)| m.iter()).find(|m| **m == name).copied(),
    }
}

fn floor(module: &str) -> u8 {
    FLOORS
        .iter()
        .find(|(_, m)| m.contains(&module))
        .map(|(f, _)| *f)
        .unwrap_or_else(|| panic!("module {module} is on no floor: add it to FLOORS and to ARCHITECTURE.md"))
}

/// The source without comments and without its tests.
fn code(text: &str) -> String {
    let text = text.split("#[cfg(test)]").next().unwrap_or("");
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `.rs` file under `dir` but test files, as paths relative to `src`.
fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") && path.file_name().is_some_and(|n| n != "tests.rs") {
            out.push(path);
        }
    }
}

/// The names following `prefix` in `text` (`crate::audit::append` → `audit`).
fn paths<'a>(text: &'a str, prefix: &str) -> Vec<&'a str> {
    text.match_indices(prefix)
        .map(|(at, _)| {
            let rest = &text[at + prefix.len()..];
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|n| !n.is_empty())
        .collect()
}

/// Is there a circle in `graph`? Returns one, if so.
fn circle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|p| p == node) {
            let mut found = path[at..].to_vec();
            found.push(node.to_string());
            return Some(found);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(found) = visit(next, graph, path, done) {
                return Some(found);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|node| visit(node, graph, &mut Vec::new(), &mut done))
}

#[test]
fn each_module_imports_only_its_floor_and_below_and_nothing_goes_round() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    let mut top: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut inner: BTreeMap<String, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    let mut climbs = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).expect("under src");
        let parts: Vec<String> = relative
            .iter()
            .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
            .collect();
        if parts == ["lib"] {
            continue;
        }
        let module = parts[0].clone();
        let text = code(&std::fs::read_to_string(file).expect("source"));
        for name in paths(&text, "crate::") {
            let Some(to) = module_of(name) else { continue };
            if to != module {
                if floor(to) > floor(&module) {
                    climbs.push(format!(
                        "{} imports {to} (floor {} > {})",
                        relative.display(),
                        floor(to),
                        floor(&module)
                    ));
                }
                top.entry(module.clone()).or_default().insert(to.to_string());
            }
        }
        // Among the files of one folder: `super::x` and `crate::folder::x`.
        if parts.len() >= 2 {
            let folder = parts[..parts.len() - 1].join("/");
            let me = parts.last().cloned().unwrap_or_default();
            let me = if me == "mod" { String::new() } else { me };
            let mut siblings: Vec<&str> = paths(&text, "super::");
            let own = format!("crate::{}::", parts[..parts.len() - 1].join("::"));
            siblings.extend(paths(&text, &own));
            for sibling in siblings {
                let is_file = src.join(&folder).join(format!("{sibling}.rs")).exists()
                    || src.join(&folder).join(sibling).is_dir();
                if is_file && sibling != me && !me.is_empty() {
                    inner
                        .entry(folder.clone())
                        .or_default()
                        .entry(me.clone())
                        .or_default()
                        .insert(sibling.to_string());
                }
            }
        }
    }
    assert!(climbs.is_empty(), "imports that climb a floor:\n{}", climbs.join("\n"));
    assert_eq!(circle(&top), None, "a circle among the library's modules");
    for (folder, graph) in &inner {
        assert_eq!(circle(graph), None, "a circle among the files of {folder}");
    }
}
