//! `avala certificate` and `avala keys`.

use avala::engine::{Cursor, PAGE, Records, Subject};

use super::{Ctx, Result, read_file};
use crate::output::{Cell, Col, Format, Pages, done, listing, record};
use crate::say::Say;
use crate::{CertificateCmd, KeysCmd};

/// The columns of a certificate listing.
const COLUMNS: &[Col] = &[
    ("folio", Cell::Text),
    ("state", Cell::State("certificate")),
    ("holder_name", Cell::Text),
    ("issued_at", Cell::Date),
    ("expires_at", Cell::Date),
    ("rendered", Cell::Rendered),
];

pub async fn run(ctx: &Ctx<'_>, cmd: &CertificateCmd) -> Result<u8> {
    if let CertificateCmd::Verify {
        target,
        token,
        offline,
        public_keys,
    } = cmd
    {
        return verify(ctx, target.as_deref(), token.as_deref(), *offline, public_keys).await;
    }
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        CertificateCmd::Verify { .. } => unreachable!("handled above"),
        CertificateCmd::Revoke { folio, reason } => {
            engine.revoke_certificate(&actor, folio, reason).await?;
            let json = serde_json::json!({"folio": folio, "state": "revoked", "reason": reason});
            done(ctx.out, &json, Say::Revoked { folio, reason });
        }
        CertificateCmd::Reissue { folio, name, curp } => {
            let new = engine
                .reissue_certificate(&actor, folio, name.as_deref(), curp.as_deref())
                .await?;
            let json = serde_json::json!({"folio": new, "supersedes": folio});
            done(ctx.out, &json, Say::Reissued { new: &new, old: folio });
        }
        CertificateCmd::Export { folio, output } => {
            let credential = engine.export_ob3(&actor, folio, &ctx.config()?).await?;
            let text = serde_json::to_string_pretty(&credential).unwrap_or_default();
            match output {
                Some(path) => {
                    avala::config::write_atomic(path, format!("{text}\n").as_bytes(), false)?;
                    let say = Say::Exported {
                        folio,
                        file: &path.display().to_string(),
                    };
                    eprintln!("{}", say.text(ctx.out.lang));
                }
                None => println!("{text}"),
            }
        }
        CertificateCmd::Expiring { within } => listing(
            ctx.out,
            COLUMNS,
            &engine.expiring_certificates(&actor, i64::from(*within)).await?,
        ),
        CertificateCmd::List { window } => {
            let mut out = Pages::new(ctx.out, COLUMNS);
            let mut cursor = Cursor::default();
            while let Some(rows) = cursor.next(engine.certificates_page(&actor, *window, cursor.after(), PAGE).await?) {
                out.page(&rows);
            }
            out.finish();
        }
        CertificateCmd::Show { folio } => {
            let c = engine.show_certificate(&actor, folio).await?;
            let columns = [
                ("folio", Cell::Text),
                ("state", Cell::State("certificate")),
                ("holder_name", Cell::Text),
                ("enrollment_id", Cell::Text),
                ("verification_code", Cell::Text),
                ("issued_at", Cell::Time),
                ("expires_at", Cell::Time),
                ("rendered", Cell::Rendered),
            ];
            record(ctx.out, &c, &columns, &[]);
        }
    }
    Ok(0)
}

/// `avala certificate verify`: against the issuer's records when there are some, offline
/// otherwise (the library decides what each can check).
async fn verify(
    ctx: &Ctx<'_>,
    target: Option<&str>,
    token: Option<&str>,
    offline: bool,
    public_keys: &[String],
) -> Result<u8> {
    let path = target.map(std::path::Path::new);
    let file = match path {
        Some(p) if p.is_file() => Some(read_file(p, avala::files::FileKind::Document)?),
        Some(p)
            if p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("pdf") || e.eq_ignore_ascii_case("json")) =>
        {
            return Err(avala::Error::io(p, std::io::Error::from(std::io::ErrorKind::NotFound)));
        }
        _ => None,
    };
    let subject = match (&file, target, token) {
        (Some(bytes), _, _) => Subject::File(bytes),
        (None, _, Some(token)) => Subject::Token(token),
        (None, Some(key), None) => Subject::of_key(key),
        (None, None, None) => {
            return Err(avala::Error::Missing {
                field: avala::domain::Field::Target,
            });
        }
    };
    let engine = if offline {
        None
    } else {
        avala::engine::open_records(&ctx.cli.db).await?
    };
    let verification = match &engine {
        Some(engine) => {
            let actor = engine.actor(ctx.cli.actor.as_deref()).await?;
            avala::engine::verify_certificate(Records::Online(engine, &actor), subject).await?
        }
        None => {
            let keys = avala::engine::offline_keys(public_keys, ctx.config().ok().as_ref())?;
            let now = avala::clock::from_env()?.now();
            avala::engine::verify_certificate(Records::Offline { keys, now }, subject).await?
        }
    };
    let code = verification.outcome.exit_code() as u8;
    if ctx.out.format.is_json() {
        println!("{}", serde_json::to_string_pretty(&verification).unwrap_or_default());
        return Ok(code);
    }
    let c = avala::messages::of(ctx.out.lang);
    let subject = verification
        .folio
        .clone()
        .unwrap_or_else(|| target.or(token).unwrap_or("").to_string());
    // What a document or token says is shown tamed: a forged one cannot send escapes to the
    // terminal.
    let tame = avala::domain::text::tame;
    println!("{}: {}", tame(&subject), c.outcome(&verification.outcome));
    let mut lines: Vec<(String, String)> = Vec::new();
    if let Some(h) = &verification.holder {
        lines.push((c.column("holder"), h.clone()));
    }
    if let Some(s) = &verification.standard {
        lines.push((c.column("standard"), format!("{} v{} «{}»", s.code, s.version, s.title)));
    }
    if let Some(i) = &verification.issued_at {
        lines.push((c.column("issued"), i.clone()));
    }
    if let Some(e) = &verification.expires_at {
        lines.push((c.column("valid_until"), e.clone()));
    }
    for check in &verification.checked {
        lines.push((Say::Checked.text(ctx.out.lang), c.check(check)));
    }
    for check in &verification.not_checked {
        lines.push((Say::NotChecked.text(ctx.out.lang), c.unchecked(check)));
    }
    let width = lines.iter().map(|(k, _)| k.chars().count()).max().unwrap_or(0);
    for (k, v) in lines {
        println!("  {k}:{} {}", " ".repeat(width - k.chars().count()), tame(&v));
    }
    Ok(code)
}

pub async fn keys(ctx: &Ctx<'_>, cmd: &KeysCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    let config = ctx.config()?;
    if let KeysCmd::Check = cmd {
        let key = engine.signing_key(&actor, &config).await?;
        let keys = engine.issuer_keys().await?.len();
        let say = Say::KeySound {
            key_id: key.id(),
            file: &config.key_path().display().to_string(),
            keys,
        };
        if ctx.out.format == Format::Json {
            let json =
                serde_json::json!({"sound": true, "key_id": key.id(), "key_file": config.key_path(), "keys": keys});
            println!("{json}");
        } else {
            println!("{}", say.text(ctx.out.lang));
        }
        return Ok(());
    }
    if let KeysCmd::Rotate = cmd {
        let new = engine.rotate_issuer_key(&actor, &config).await?;
        let say = Say::KeyRotated {
            key_id: &new.key_id,
            file: &config.key_path().display().to_string(),
        };
        if ctx.out.format != Format::Json {
            println!("{}", say.text(ctx.out.lang));
        }
    }
    // The listing shows the key set even when the key file is missing or unsafe (`keys check`
    // says what is wrong with it).
    let signing = config
        .signing_key()
        .ok()
        .map(|k| avala::config::key_id(&k.verifying_key()));
    #[derive(serde::Serialize)]
    struct KeyLine {
        #[serde(flatten)]
        key: avala::engine::KeyRow,
        status: avala::engine::KeyStatus,
    }
    let lines: Vec<KeyLine> = engine
        .issuer_keys()
        .await?
        .into_iter()
        .map(|key| KeyLine {
            status: key.status(signing.as_deref()),
            key,
        })
        .collect();
    const COLUMNS: &[Col] = &[
        ("key_id", Cell::Text),
        ("status", Cell::State("key")),
        ("created_at", Cell::Time),
        ("public_key", Cell::Text),
    ];
    listing(ctx.out, COLUMNS, &lines);
    Ok(())
}
