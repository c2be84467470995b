//! Problems of a file's lines, identities and standard files, in Spanish.

use super::Es;
use crate::error::Problem;
use crate::identity::{CurpPart, EmailProblem, IdentityError};
use crate::messages::Catalogue;
use crate::standard::Issue;

pub(super) fn problem(c: &Es, p: &Problem) -> String {
    let columns = |cols: &[String]| cols.join(", ");
    match p {
        Problem::UnreadableHeader { detail } => format!("no se puede leer el encabezado: {detail}"),
        Problem::UnreadableRow { detail } => format!("no se puede leer la fila: {detail}"),
        Problem::EmptyFile { columns: cols } => format!(
            "el archivo está vacío; la primera línea debe ser el encabezado: {}",
            columns(cols)
        ),
        Problem::NotAHeader { columns: cols } => format!(
            "la línea 1 no es un encabezado; la primera línea debe nombrar las columnas: {}",
            columns(cols)
        ),
        Problem::UnknownColumn { columns: cols } => {
            format!("columna desconocida; las columnas son {}", columns(cols))
        }
        Problem::ColumnTwice => "la columna aparece dos veces".into(),
        Problem::MissingColumn => "falta la columna".into(),
        Problem::NoIdentityColumn => "falta la columna; dé `curp` (y `passport` para personas extranjeras)".into(),
        Problem::FieldCount { found, expected } => format!("tiene {found} campos pero el encabezado tiene {expected}"),
        Problem::MissingValue => "falta el valor".into(),
        Problem::Text(t) => text(t),
        Problem::MissingIdentity => {
            "falta el valor (dé una CURP, o un número de pasaporte para una persona extranjera)".into()
        }
        Problem::BothIdentities => "dé una CURP o un número de pasaporte, no ambos".into(),
        Problem::Identity(e) => c.identity(e),
        Problem::NotYesNo { value } => {
            format!("{value:?} no es sí ni no (use sí/no, yes/no, true/false, 1/0, o déjelo vacío para no)")
        }
        Problem::NotAJudgement { value } => {
            format!("{value:?} no es competente (sí, competente) ni todavía no competente (no, todavía no competente)")
        }
        Problem::Duplicate { identity, first } => {
            format!("{identity} aparece dos veces en el archivo (primero en la línea {first})")
        }
        Problem::AlreadyEnrolled {
            identity,
            window,
            enrollment,
        } => format!("{identity} ya está inscrito(a) en la convocatoria {window} (inscripción {enrollment})"),
        Problem::OverCapacity {
            window,
            free,
            capacity,
            rows,
        } => format!(
            "la convocatoria {window} tiene {free} lugar(es) libre(s) de {capacity}; las {rows} filas válidas del \
             archivo no caben (esta fila es la primera que excede el cupo)"
        ),
        Problem::NoJudgements => "no hay juicios: dé una fila por elemento".into(),
    }
}

pub(super) fn identity(e: &IdentityError) -> String {
    match e {
        IdentityError::CurpLength { value, len } => {
            format!("la CURP {value:?} tiene {len} caracteres; una CURP tiene 18")
        }
        IdentityError::CurpFormat {
            value,
            position,
            found,
            expected,
        } => format!(
            "CURP {value:?}: el carácter {position} ({found:?}) debería ser {}",
            match expected {
                CurpPart::Letter => "una letra",
                CurpPart::BirthDate => "un dígito (fecha de nacimiento AAMMDD)",
                CurpPart::Sex => "H, M o X (sexo)",
                CurpPart::State => "una letra (entidad de nacimiento)",
                CurpPart::Consonant => "una consonante",
                CurpPart::Homonymy => "una letra o un dígito (homonimia)",
                CurpPart::CheckDigit => "un dígito (dígito verificador)",
            }
        ),
        IdentityError::CurpDate { value, date } => {
            format!("CURP {value:?}: la fecha de nacimiento {date} no existe")
        }
        IdentityError::CurpState { value, code } => format!(
            "CURP {value:?}: {code:?} no es una clave de entidad federativa (AS, BC, … ZS, o NE para nacidos en el extranjero)"
        ),
        IdentityError::CurpInconvenientWord { value, word, issued } => format!(
            "CURP {value:?}: sus cuatro primeras letras forman {word:?}, una palabra que RENAPO nunca asigna; la CURP verdadera lleva una X como segunda letra ({issued:?}): revise la constancia de la CURP"
        ),
        IdentityError::CurpCheckDigit { value, found, expected } => format!(
            "CURP {value:?}: el dígito verificador es {found} y debería ser {expected}; revise si hay un error de captura"
        ),
        IdentityError::Passport { value } => {
            format!("el número de pasaporte {value:?} debe tener de 6 a 20 letras y dígitos")
        }
        IdentityError::Email { value, problem } => format!(
            "el correo {value:?} no es una dirección válida: {}",
            match problem {
                EmailProblem::MissingAt => "debe ser nombre@dominio",
                EmailProblem::LocalPart => "la parte antes de la @ no es válida",
                EmailProblem::Domain => "el dominio no es válido",
                EmailProblem::Characters => "tiene caracteres que una dirección no puede tener",
            }
        ),
    }
}

pub(super) fn standard_issue(i: &Issue) -> String {
    match i {
        Issue::Toml { detail } => format!("no es TOML válido: {detail}"),
        Issue::Empty => "no debe estar vacío".into(),
        Issue::OutOfRange { value, min, max } => format!("{value} está fuera del intervalo {min}–{max}"),
        Issue::BadCode { value, prefix } => format!("{value:?} debe ser {prefix} seguido de 4 dígitos"),
        Issue::Repeated { code } => format!("{code} aparece más de una vez"),
        Issue::NoElements => "un estándar necesita al menos un [[elements]]".into(),
        Issue::NoCriteria => "un elemento necesita al menos un criterio".into(),
        Issue::NeedsKnowledgeLevel => {
            "los criterios de conocimiento necesitan knowledge_level (conocimiento, comprension o aplicacion)".into()
        }
        Issue::LevelOnlyForKnowledge => "solo los criterios de conocimiento tienen knowledge_level".into(),
        Issue::NoItems => "un criterio necesita al menos un reactivo de la lista de cotejo".into(),
        Issue::Text(t) => text(t),
    }
}

/// Un texto rechazado, en español.
pub(super) fn text(p: &crate::domain::text::TextProblem) -> String {
    use crate::domain::text::TextProblem as T;
    let code = p.codepoint().unwrap_or_default();
    match p {
        T::TooLong { max, found } => format!("tiene {found} caracteres; se admiten como máximo {max}"),
        T::LineBreak { at } => format!("tiene un salto de línea en el carácter {at}; un valor ocupa una sola línea"),
        T::Control { at, .. } => format!("tiene un carácter de control ({code}) en el carácter {at}"),
        T::Invisible { at, .. } => {
            format!("tiene un carácter invisible ({code}) en el carácter {at}; escriba el valor en lugar de pegarlo")
        }
    }
}
