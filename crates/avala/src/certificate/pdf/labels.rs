//! The words the certificate prints, in Spanish and English: every language-dependent text of
//! the page is here, so the layout never asks which language it is writing (and a message
//! catalogue can later replace this one function).

use chrono::NaiveDate;

use crate::Lang;

/// The fixed wording of a certificate in one language.
pub(super) struct Labels {
    /// The document's kind, in its information dictionary ("Certificado de Competencia").
    pub(super) title: &'static str,
    /// The heading across the page.
    pub(super) heading: &'static str,
    /// The line above the holder's name.
    pub(super) grants: &'static str,
    /// The line between the holder's name and the standard.
    pub(super) demonstrated: &'static str,
    /// "version", before the standard's version.
    pub(super) version: &'static str,
    /// "level", before the standard's level.
    pub(super) level: &'static str,
    /// The result, after version and level.
    pub(super) result: &'static str,
    /// The particulars' names: folio, verification code, date of the dictamen, place, validity.
    pub(super) particulars: [&'static str; 5],
    /// Under the verifier's name.
    pub(super) role: &'static str,
    /// The footer on how to verify the certificate.
    pub(super) check: &'static str,
}

/// The certificate's wording in `lang`.
pub(super) fn labels(lang: Lang) -> Labels {
    match lang {
        Lang::Es => Labels {
            title: "Certificado de Competencia",
            heading: "CERTIFICADO DE COMPETENCIA LABORAL",
            grants: "Se otorga el presente certificado a",
            demonstrated: "por haber demostrado su competencia en el Estándar de Competencia",
            version: "versión",
            level: "nivel",
            result: "Resultado: Competente",
            particulars: [
                "Folio",
                "Código de verificación",
                "Fecha del dictamen",
                "Lugar",
                "Vigente hasta",
            ],
            role: "Verificador(a) que emite el dictamen",
            check: "Verifique la autenticidad de este certificado escaneando el código QR o con su folio y código de verificación.",
        },
        Lang::En => Labels {
            title: "Certificate of Competence",
            heading: "CERTIFICATE OF OCCUPATIONAL COMPETENCE",
            grants: "This certificate is awarded to",
            demonstrated: "for having demonstrated competence in the Competency Standard",
            version: "version",
            level: "level",
            result: "Result: Competent",
            particulars: ["Folio", "Verification code", "Date of dictamen", "Place", "Valid until"],
            role: "Verifier who issued the dictamen",
            check: "Verify this certificate by scanning the QR code, or with its folio and verification code.",
        },
    }
}

/// A date written out: "23 de noviembre de 2026" / "November 23, 2026".
pub fn long_date(date: NaiveDate, lang: Lang) -> String {
    use chrono::Datelike;
    const ES: [&str; 12] = [
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let m = date.month0() as usize;
    match lang {
        Lang::Es => format!("{} de {} de {}", date.day(), ES[m], date.year()),
        Lang::En => format!("{} {}, {}", EN[m], date.day(), date.year()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_languages() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 3).unwrap();
        assert_eq!(long_date(d, Lang::Es), "3 de noviembre de 2026");
        assert_eq!(long_date(d, Lang::En), "November 3, 2026");
    }
}
