//! The two readers, with the files offices send.

use super::*;
use crate::identity::Identity;

const HEADER: &str = "curp,name,email,institution,position,public_registry\n";

#[test]
fn reads_valid_rows_in_any_column_order() {
    let csv = "name,curp,institution,email,public_registry,position\n\
               Gloria Hernández García,HEGG560427MVZRRL04,Municipio de Xalapa,gloria@example.mx,sí,Titular\n\
               Nicolás Pérez,,Instituto Electoral,nico@example.mx,,\n";
    let csv = csv.replace(",,Instituto", ",X,Instituto");
    let parsed = parse(csv.as_bytes());
    // Row 3 has an invalid CURP "X".
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!(parsed.rows[0].name, "Gloria Hernández García");
    assert!(parsed.rows[0].public_registry);
    assert_eq!(parsed.rows[0].line, 2);
    assert_eq!(parsed.problems.len(), 1);
    assert_eq!(parsed.problems[0].line, 3);
    assert_eq!(parsed.problems[0].column.as_deref(), Some("curp"));
    assert_eq!(parsed.encoding, Encoding::Utf8);
}

#[test]
fn a_file_without_its_header_is_one_problem() {
    let csv = "HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,Titular,no\n";
    let parsed = parse(csv.as_bytes());
    assert_eq!(parsed.problems.len(), 1, "{:?}", parsed.problems);
    assert_eq!(parsed.problems[0].line, 1);
    assert!(
        matches!(parsed.problems[0].problem, Problem::NotAHeader { .. }),
        "{:?}",
        parsed.problems[0]
    );
    let problems = judgements(b"E0001,competente\n").unwrap_err();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        matches!(problems[0].problem, Problem::NotAHeader { .. }),
        "{:?}",
        problems[0]
    );
    // A header with a known column but not all: each missing one is named.
    let problems = judgements(b"element,evidence,element\nE0001,x,E0001\n").unwrap_err();
    let named: Vec<_> = problems.iter().map(|p| (p.column.as_deref(), &p.problem)).collect();
    assert!(named.contains(&(Some("element"), &Problem::ColumnTwice)), "{named:?}");
    assert!(
        named.contains(&(Some("competent"), &Problem::MissingColumn)),
        "{named:?}"
    );
}

#[test]
fn every_bad_line_is_reported() {
    let csv = format!(
        "{HEADER}HEGG560427MVZRRL05,Ana,ana@example.mx,Inst,,no\n\
         PXNE660720HMCXTN06,,pxne@example.mx,Inst,,no\n\
         MAHJ280603MSPRRV09,Juan,not-an-email,Inst,,no\n\
         MAHJ280603MSPRRV09,Juan,juan@example.mx,Inst,,quizá\n\
         HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,,no\n\
         HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,,no\n\
         too,few\n"
    );
    let parsed = parse(csv.as_bytes());
    let lines: Vec<(u64, Option<&str>)> = parsed.problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
    assert_eq!(
        lines,
        vec![
            (2, Some("curp")),
            (3, Some("name")),
            (4, Some("email")),
            (5, Some("public_registry")),
            (5, Some("curp")),
            (7, Some("curp")),
            (8, None)
        ]
    );
    assert!(
        matches!(parsed.problems[4].problem, Problem::Duplicate { first: 4, .. }),
        "{:?}",
        parsed.problems[4]
    );
    assert!(
        matches!(parsed.problems[5].problem, Problem::Duplicate { first: 6, .. }),
        "{:?}",
        parsed.problems[5]
    );
}

#[test]
fn header_problems_stop_early() {
    let parsed = parse(b"curp,nombre,email\nHEGG560427MVZRRL04,Ana,a@b.mx\n");
    assert!(parsed.rows.is_empty());
    assert!(parsed.problems.iter().all(|p| p.line == 1));
    assert!(parsed.problems.iter().any(|p| p.column.as_deref() == Some("nombre")));
    assert!(
        parsed
            .problems
            .iter()
            .any(|p| p.column.as_deref() == Some("institution"))
    );
    assert_eq!(parse(b"").problems.len(), 1);
}

#[test]
fn bom_and_windows_1252_are_decoded() {
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(format!("{HEADER}HEGG560427MVZRRL04,Ana,a@b.mx,Inst,,no\n").as_bytes());
    let parsed = parse(&bom);
    assert_eq!(parsed.encoding, Encoding::Utf8Bom);
    assert_eq!(parsed.rows.len(), 1);

    let mut latin = HEADER.as_bytes().to_vec();
    latin.extend_from_slice(b"HEGG560427MVZRRL04,Mar\xEDa Pe\xF1a,a@b.mx,Secretar\xEDa,,no\n");
    let parsed = parse(&latin);
    assert_eq!(parsed.encoding, Encoding::Windows1252);
    assert_eq!(parsed.rows[0].name, "María Peña");
    assert_eq!(parsed.rows[0].institution, "Secretaría");
}

#[test]
fn passport_rows_for_foreign_candidates() {
    let csv = "curp,passport,name,email,institution,position,public_registry\n\
               ,G12345678,John Smith,john@example.com,Inst,,no\n\
               HEGG560427MVZRRL04,G12345678,Both,b@example.com,Inst,,no\n";
    let parsed = parse(csv.as_bytes());
    assert_eq!(parsed.rows.len(), 1);
    assert_eq!(parsed.rows[0].identity, Identity::Passport("G12345678".into()));
    assert_eq!(parsed.problems.len(), 1);
    assert_eq!(parsed.problems[0].line, 3);
}

#[test]
fn an_instrument_reads_every_element_and_names_bad_lines() {
    let good = "element,competent,evidence,feedback\nE0001,sí,Portafolio completo,\ne0002,not yet competent,Incompleto,Reforzar\n";
    let read = judgements(good.as_bytes()).unwrap();
    assert_eq!(read.len(), 2);
    assert!(read[0].competent && !read[1].competent);
    assert_eq!(read[0].feedback, None);
    assert_eq!(read[1].feedback.as_deref(), Some("Reforzar"));
    let bad = "element,competent\nE0001,quizá\n,sí\n";
    let problems = judgements(bad.as_bytes()).unwrap_err();
    let at: Vec<(u64, Option<&str>)> = problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
    assert_eq!(at, vec![(2, Some("competent")), (3, Some("element"))]);
    assert_eq!(judgements(b"elemento,competent\n").unwrap_err()[0].line, 1);
    assert!(judgements(b"element,competent\n").is_err());
}

proptest::proptest! {
    #[test]
    fn crlf_becomes_lf_across_any_chunks(
        text in "[a\r\n]{0,40}",
        capacity in 1usize..5,
        len in 1usize..5,
    ) {
        use std::io::Read;
        let mut lf = LfLines::new(std::io::BufReader::with_capacity(capacity, text.as_bytes()));
        let (mut out, mut buf) = (Vec::new(), vec![0; len]);
        loop {
            let n = lf.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), text.replace("\r\n", "\n"));
    }

    #[test]
    fn arbitrary_instruments_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        let mut input = b"element,competent,evidence\n".to_vec();
        input.extend_from_slice(&bytes);
        let _ = judgements(&input);
        let _ = judgements(&bytes);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..400)) {
        let mut input = HEADER.as_bytes().to_vec();
        input.extend_from_slice(&bytes);
        let parsed = parse(&input);
        for p in &parsed.problems {
            proptest::prop_assert!(p.line >= 1);
        }
        let _ = parse(&bytes);
    }
}

#[test]
fn crlf_files_name_the_same_lines_as_lf_files() {
    // Excel on Windows and Python's csv module end lines with CR LF: the bad row is still the
    // file's line 2 (the header is line 1), for both readers.
    for end in ["\n", "\r\n"] {
        let csv = format!(
            "curp,name,email,institution,position,public_registry{end}\
             HEGG560427MVZRRL05,Ana,ana@example.mx,Inst,,no{end}\
             HEGG560427MVZRRL04,Gloria,g@example.mx,Inst,,no{end}\
             MAHJ280603MSPRRV09,Juan,not-an-email,Inst,,no{end}"
        );
        let parsed = parse(csv.as_bytes());
        let lines: Vec<(u64, Option<&str>)> = parsed.problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(lines, vec![(2, Some("curp")), (4, Some("email"))], "{end:?}");
        assert_eq!(parsed.rows.len(), 1, "{end:?}");
        assert_eq!(parsed.rows[0].line, 3, "{end:?}");

        let instrument = format!("element,competent{end}E0001,quizá{end}E0002,sí{end},sí{end}");
        let problems = judgements(instrument.as_bytes()).unwrap_err();
        let at: Vec<(u64, Option<&str>)> = problems.iter().map(|p| (p.line, p.column.as_deref())).collect();
        assert_eq!(at, vec![(2, Some("competent")), (4, Some("element"))], "{end:?}");
    }
}
