//! `avala init`, `avala standard`, `avala staff`.

use avala::config::{Config, Settings};
use avala::engine::NewStaff;
use avala::store::Db;

use super::{Ctx, Result, read_file};
use crate::output::{Cell, Col, done, listing, record};
use crate::say::Say;
use crate::{InitArgs, StaffCmd, StandardCmd};

pub async fn init(ctx: &Ctx<'_>, args: &InitArgs) -> Result {
    let db = Db::open(&ctx.cli.db).await?;
    db.close().await;
    let dir = Config::dir_for(&ctx.cli.db);
    let mut settings = Settings::default();
    if let Some(v) = &args.issuer {
        settings.issuer = v.clone();
    }
    if let Some(v) = &args.place {
        settings.place = v.clone();
    }
    if let Some(v) = &args.mail_from {
        settings.mail_from = avala::identity::email(v)?;
    }
    let (config, created) = Config::init(&dir, Some(settings))?;
    ctx.engine().await?.register_issuer_key(&config).await?;
    let key_id = avala::config::key_id(&config.signing_key()?.verifying_key());
    let database = avala::store::redact(&ctx.cli.db);
    let config_file = config.dir.join(avala::config::FILE).display().to_string();
    let key_file = config.key_path().display().to_string();
    let json = serde_json::json!({
        "database": database, "config": config_file, "key_file": key_file, "key_id": key_id, "new_key": created,
    });
    let say = Say::Initialised {
        database: &database,
        config: &config_file,
        key_file: &key_file,
        created,
        key_id: &key_id,
    };
    done(ctx.out, &json, say);
    Ok(())
}

pub async fn standard(ctx: &Ctx<'_>, cmd: &StandardCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        StandardCmd::Load { file } => {
            let text = String::from_utf8(read_file(file, avala::files::FileKind::Standard)?)
                .map_err(|_| avala::Error::NotUtf8 { path: file.clone() })?;
            let out = engine.load_standard(&actor, &file.display().to_string(), &text).await?;
            let say = Say::StandardLoaded {
                code: &out.code,
                version: &out.version,
                new: out.new,
                elements: out.elements,
                hash: &out.content_hash,
            };
            done(ctx.out, &out, say);
        }
        StandardCmd::List => {
            const COLUMNS: &[Col] = &[
                ("code", Cell::Text),
                ("version", Cell::Text),
                ("level", Cell::Text),
                ("validity_years", Cell::Text),
                ("diagnostic_threshold", Cell::Text),
                ("title", Cell::Text),
                ("content_hash", Cell::Short),
            ];
            listing(ctx.out, COLUMNS, &engine.list_standards(&actor).await?);
        }
        StandardCmd::Show { code } => {
            let s = engine.show_standard(&actor, code).await?;
            const COLUMNS: &[Col] = &[
                ("code", Cell::Text),
                ("version", Cell::Text),
                ("title", Cell::Text),
                ("level", Cell::Text),
                ("validity_years", Cell::Text),
                ("diagnostic_threshold", Cell::Text),
            ];
            let elements: Vec<String> = s.elements.iter().map(|e| format!("{} {}", e.code, e.title)).collect();
            let c = avala::messages::of(ctx.out.lang);
            record(
                ctx.out,
                &s,
                COLUMNS,
                &[(c.column("elements"), elements.join("\n            "))],
            );
        }
    }
    Ok(())
}

pub async fn staff(ctx: &Ctx<'_>, cmd: &StaffCmd) -> Result {
    let (engine, actor) = ctx.acting().await?;
    match cmd {
        StaffCmd::Add { id, name, email, roles } => {
            let roles = roles.iter().map(|r| r.parse()).collect::<Result<Vec<_>>>()?;
            let new = NewStaff::from_input(id, name, email, roles.clone())?;
            engine.add_staff(&actor, new).await?;
            let stored = avala::domain::Roles::new(roles.clone()).stored();
            let json = serde_json::json!({"id": id, "roles": stored.split(',').collect::<Vec<_>>()});
            done(ctx.out, &json, Say::StaffAdded { id, roles: &roles });
        }
        StaffCmd::List => {
            const COLUMNS: &[Col] = &[
                ("id", Cell::Text),
                ("name", Cell::Text),
                ("email", Cell::Text),
                ("roles", Cell::Text),
            ];
            listing(ctx.out, COLUMNS, &engine.list_staff(&actor).await?);
        }
    }
    Ok(())
}
