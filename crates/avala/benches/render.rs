//! Certificate rendering alone: `cargo bench -p avala --bench render -- [N] [OUTDIR]`.
//!
//! Renders N (default 1,000) signed certificates with different holders, the way the runner
//! does (PDF with subset fonts, QR code, token in the document information), on one thread,
//! and prints certificates per second and bytes per certificate. With OUTDIR, each is also
//! written to a file there, as the peer scripts do (`benches/peers.sh` runs them side by side).

use std::time::Instant;

use avala::Lang;
use avala::certificate::pdf::{CertificateDoc, render};
use avala::certificate::signed::{Payload, StandardRef};
use chrono::NaiveDate;
use ed25519_dalek::SigningKey;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let n: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let out = args.get(1).map(std::path::PathBuf::from);
    if let Some(out) = &out {
        std::fs::create_dir_all(out).unwrap();
    }
    let people = avala::cohort::generate(n, 1057);
    let key = SigningKey::from_bytes(&[7; 32]);
    let (mut bytes, mut qr, mut pdf_only) = (0usize, 0.0, 0.0);
    let started = Instant::now();
    for (i, p) in people.iter().enumerate() {
        let folio = format!("EC1057-2026-{:06}", i + 1);
        let code = avala::certificate::new_verification_code();
        let t = Instant::now();
        let signed = Payload {
            v: 1,
            folio: folio.clone(),
            verification_code: code.clone(),
            holder: p.name.clone(),
            standard: StandardRef {
                code: "EC1057".into(),
                version: "1".into(),
                title: "Garantizar el derecho de acceso a la información pública".into(),
            },
            result: "competent".into(),
            issued_at: "2026-11-23T16:00:00Z".into(),
            expires_at: "2029-11-23T16:00:00Z".into(),
            issuer: "Instituto de Transparencia".into(),
            key_id: "0123456789abcdef".into(),
        }
        .sign(&key);
        let token = signed.token();
        qr += t.elapsed().as_secs_f64();
        let doc = CertificateDoc {
            lang: Lang::Es,
            issuer: "Instituto de Transparencia, Acceso a la Información Pública y Protección de Datos Personales"
                .into(),
            holder_name: p.name.clone(),
            standard_code: "EC1057".into(),
            standard_version: "1".into(),
            standard_title: "Garantizar el derecho de acceso a la información pública".into(),
            standard_level: 3,
            folio,
            verification_code: code,
            dictamen_date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            place: "Toluca de Lerdo, Estado de México".into(),
            valid_until: NaiveDate::from_ymd_opt(2029, 11, 23).unwrap(),
            verifier_name: "Dra. Mónica Domínguez Herrera".into(),
            qr: token,
            logo: None,
        };
        let t = Instant::now();
        let pdf = render(&doc).unwrap();
        pdf_only += t.elapsed().as_secs_f64();
        if let Some(out) = &out {
            std::fs::write(out.join(format!("cert-{i:06}.pdf")), &pdf).unwrap();
        }
        bytes += pdf.len();
    }
    let seconds = started.elapsed().as_secs_f64();
    println!("\nrender: {n} signed certificates on one thread");
    println!(
        "  {:.0} certificates/s ({:.2} ms each: {:.2} ms PDF, {:.3} ms signing)",
        n as f64 / seconds,
        seconds * 1000.0 / n as f64,
        pdf_only * 1000.0 / n as f64,
        qr * 1000.0 / n as f64
    );
    println!("  {:.1} KiB per certificate", bytes as f64 / n as f64 / 1024.0);
    // The peer scripts' summary line, for `benches/peers.sh`.
    println!(
        "avala: {n} certificates in {seconds:.2}s = {:.0}/s, mean size {:.1} KiB",
        n as f64 / seconds,
        bytes as f64 / n as f64 / 1024.0
    );
}
