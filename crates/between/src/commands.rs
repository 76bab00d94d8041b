//! What each subcommand does.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use app::{App, AppError, NewUser, Settings};
use domain::account::Role;
use store::{DatabaseUrl, KeyFile, Store};

use crate::backup;
use crate::cli::{Cli, Command, Key, Serve, Token, User};
use crate::private;
use crate::users;

/// Runs the chosen subcommand.
pub async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Serve(ref opts) => serve(&cli, opts).await,
        Command::Migrate => {
            let (store, url) = open_store(&cli).await?;
            println!(
                "The database at {} is up to date ({}).",
                url.redacted(),
                store.backend()
            );
            close(&store).await
        }
        Command::User(User::Add {
            ref email,
            ref role,
            ref country,
            ref timezone,
        }) => {
            let role = Role::parse(role).with_context(|| {
                format!("unknown role {role:?}: use client, therapist or admin")
            })?;
            let password = read_password()?;
            let (store, _) = open_store(&cli).await?;
            let app = App::new(store.clone(), Settings::default());
            let account = app
                .add_user(NewUser {
                    email: email.clone(),
                    password,
                    role,
                    country: country.clone(),
                    timezone: timezone.clone(),
                })
                .await
                .map_err(explain)?;
            println!(
                "Created {} account {}.",
                account.role.as_str(),
                account.email.as_str()
            );
            close(&store).await
        }
        Command::Export {
            ref email,
            ref user,
            ref output,
            history,
        } => {
            let email = email.as_deref().or(user.as_deref()).unwrap_or_default();
            let (store, _) = open_store(&cli).await?;
            let app = App::new(store.clone(), Settings::default());
            let actor = app.operator_actor(email).await.map_err(explain)?;
            let json = if history {
                app.history(&actor, None)
                    .await
                    .map_err(explain)?
                    .to_json_pretty()?
            } else {
                let document = app.export_data(&actor).await.map_err(explain)?;
                serde_json::to_string_pretty(&document)?
            };
            match output {
                Some(path) => private::write(path, (json + "\n").as_bytes())?,
                None => println!("{json}"),
            }
            close(&store).await
        }
        Command::User(User::List) => users::list(&cli).await,
        Command::User(User::Delete { ref email, yes }) => users::delete(&cli, email, yes).await,
        Command::Backup { ref file } => backup::backup(&cli, file).await,
        Command::Restore { ref file, replace } => backup::restore(&cli, file, replace).await,
        Command::Assess { ref input, ref at } => Ok(assess(input, at.as_deref())),
        Command::Key(Key::Rotate) => {
            let url = database_url(&cli)?;
            let key = key_file(&cli)?;
            let rewrapped = store::rotate_master_key(&url, &key)
                .await
                .with_context(|| format!("could not rotate the master key {}", key.0.display()))?;
            println!(
                "Made a new master key in {} and re-wrapped {rewrapped} account key(s) under it. \
                 The old key is kept as {}: keep it with backups taken before now.",
                key.0.display(),
                store::vault::keyfile::retired_path(&key.0).display()
            );
            Ok(ExitCode::SUCCESS)
        }
        Command::User(User::Passwd { ref email }) => {
            let password = read_password()?;
            let (store, _) = open_store(&cli).await?;
            let app = App::new(store.clone(), Settings::default());
            app.reset_password(email, password).await.map_err(explain)?;
            println!(
                "Set a new password for {}. Every session and API token of the account has \
                 ended; it signs in again with the new password.",
                email.trim()
            );
            close(&store).await
        }
        Command::User(User::TwoStepOff { ref email }) => {
            let (store, _) = open_store(&cli).await?;
            let app = App::new(store.clone(), Settings::default());
            if app.turn_off_two_step_for(email).await.map_err(explain)? {
                println!(
                    "Two-step sign-in is off for {}: it signs in with its password alone \
                     until it turns two-step sign-in on again.",
                    email.trim()
                );
            } else {
                println!("{} did not have two-step sign-in on.", email.trim());
            }
            close(&store).await
        }
        Command::Token(ref token) => tokens(&cli, token).await,
    }
}

/// `between token create|list|revoke`.
async fn tokens(cli: &Cli, command: &Token) -> anyhow::Result<ExitCode> {
    let (store, _) = open_store(cli).await?;
    let app = App::new(store.clone(), Settings::default());
    match command {
        Token::Create {
            email,
            name,
            expires_in,
        } => {
            let made = app
                .create_token_for(email, name.as_deref(), *expires_in)
                .await
                .map_err(explain)?;
            // Only the token on standard output, so scripts can capture it; what it is
            // called goes to standard error.
            println!("{}", made.secret);
            eprintln!(
                "Made the token \"{}\"{}. It is shown only this once.",
                made.token.name,
                made.token
                    .expires_at
                    .map(|at| format!(", expiring {}", at.format("%Y-%m-%d %H:%M UTC")))
                    .unwrap_or_default()
            );
        }
        Token::List { email } => {
            let tokens = app.api_tokens_for(email).await.map_err(explain)?;
            print!("{}", token_table(&tokens));
        }
        Token::Revoke { email, name } => match app.revoke_token_named(email, name).await {
            Ok(()) => println!("Revoked the token \"{}\" of {}.", name.trim(), email.trim()),
            Err(AppError::NotFound) => {
                close(&store).await?;
                bail!(
                    "{} has no token named \"{}\"; `between token list {}` shows its tokens",
                    email.trim(),
                    name.trim(),
                    email.trim()
                );
            }
            Err(e) => return Err(explain(e)),
        },
    }
    close(&store).await
}

/// The tokens as a table with a header line: name, created, last used, expires (UTC).
fn token_table(tokens: &[app::ApiToken]) -> String {
    let when = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%d %H:%M").to_string();
    let mut rows = vec![[
        "NAME".to_string(),
        "CREATED (UTC)".to_string(),
        "LAST USED".to_string(),
        "EXPIRES".to_string(),
    ]];
    for t in tokens {
        rows.push([
            t.name.clone(),
            when(t.created_at),
            t.last_used_at.map_or_else(|| "never".to_string(), when),
            t.expires_at.map_or_else(|| "never".to_string(), when),
        ]);
    }
    let widths: Vec<usize> = (0..4)
        .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
        .collect();
    let mut out = String::new();
    for r in &rows {
        let line: Vec<String> = r
            .iter()
            .zip(&widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        out += line.join("  ").trim_end();
        out.push('\n');
    }
    if tokens.is_empty() {
        out += "(no tokens)\n";
    }
    out
}

/// Ends a command that used the database: everything it wrote is folded into the database
/// file before the process exits.
pub(crate) async fn close(store: &Arc<dyn Store>) -> anyhow::Result<ExitCode> {
    store
        .close()
        .await
        .context("could not close the database cleanly")?;
    Ok(ExitCode::SUCCESS)
}

/// `between assess`: exit 0 with the guidance JSON, or 2 with a message naming the problem.
fn assess(input: &std::path::Path, at: Option<&str>) -> ExitCode {
    let text = if input.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s).map(|_| s)
    } else {
        std::fs::read_to_string(input)
    };
    let text = match text {
        Ok(t) => t,
        Err(e) => {
            eprintln!("between assess: could not read {}: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    // An export holds the history among everything else: guidance reads only that part.
    let text = match crate::history::from_export(&text) {
        Some(Ok(history)) => history,
        Some(Err(e)) => {
            eprintln!("between assess: {}: {e}", input.display());
            return ExitCode::from(2);
        }
        None => text,
    };
    let history = match domain::history::History::from_json(&text) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("between assess: {}: {e}", input.display());
            return ExitCode::from(2);
        }
    };
    let at = match at.map(chrono::DateTime::parse_from_rfc3339) {
        None => chrono::Utc::now(),
        Some(Ok(t)) => t.with_timezone(&chrono::Utc),
        Some(Err(_)) => {
            eprintln!("between assess: --at: use an RFC 3339 time such as 2026-03-08T20:00:00Z");
            return ExitCode::from(2);
        }
    };
    let guidance = domain::guidance::assess(&history, at);
    match serde_json::to_string(&guidance) {
        Ok(json) => {
            println!("{json}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("between assess: {e}");
            ExitCode::FAILURE
        }
    }
}

pub(crate) fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(fields) => anyhow::anyhow!(
            fields
                .iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect::<Vec<_>>()
                .join("; ")
        ),
        other => anyhow::anyhow!(other),
    }
}

/// The data directory: as given, or a per-user folder; created private (0700) when missing.
pub(crate) fn data_dir(cli: &Cli) -> anyhow::Result<PathBuf> {
    let dir = match &cli.data_dir {
        Some(d) => d.clone(),
        None => dirs::data_dir()
            .map(|d| d.join("between"))
            .unwrap_or_else(|| PathBuf::from("between-data")),
    };
    private::folder(&dir)?;
    Ok(dir)
}

/// The master key file: as given, or `master.key` in the data directory.
pub(crate) fn key_file(cli: &Cli) -> anyhow::Result<KeyFile> {
    Ok(match &cli.master_key_file {
        Some(f) => KeyFile(f.clone()),
        None => KeyFile::in_folder(&data_dir(cli)?),
    })
}

/// The database URL: as given, or the SQLite file in the data directory.
fn database_url(cli: &Cli) -> anyhow::Result<DatabaseUrl> {
    Ok(match &cli.database_url {
        Some(u) => DatabaseUrl::parse(u)?,
        None => DatabaseUrl::sqlite_in(&data_dir(cli)?),
    })
}

pub(crate) async fn open_store(cli: &Cli) -> anyhow::Result<(Arc<dyn Store>, DatabaseUrl)> {
    let url = database_url(cli)?;
    let store = store::open(&url, &key_file(cli)?)
        .await
        .with_context(|| format!("could not open the database at {}", url.redacted()))?;
    Ok((store, url))
}

fn read_password() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let password = if stdin.is_terminal() {
        let first = rpassword::prompt_password("Password: ")?;
        let again = rpassword::prompt_password("Password again: ")?;
        if first != again {
            bail!("the two passwords differ");
        }
        first
    } else {
        let mut line = String::new();
        stdin.lock().read_line(&mut line)?;
        line.trim_end_matches(['\r', '\n']).to_string()
    };
    Ok(password)
}

async fn serve(cli: &Cli, opts: &Serve) -> anyhow::Result<ExitCode> {
    let mailer = mailer(opts)?;
    let (store, url) = open_store(cli).await?;
    let backend = store.backend();
    let app = App::new(
        store.clone(),
        Settings {
            open_signup: opts.open_signup,
            mail: mailer.clone(),
            ..Settings::default()
        },
    );
    // Alert emails: the worker delivers the outbox until the server stops.
    let (stop_mail, mail_stopped) = tokio::sync::oneshot::channel::<()>();
    let worker = app.mail_worker().map(|worker| {
        tokio::spawn(worker.run(MAIL_ROUND_EVERY, async {
            let _ = mail_stopped.await;
        }))
    });
    match &mailer {
        Some(m) => tracing::info!(server = m.server(), "alert emails on"),
        None => tracing::info!("alert emails off: no --smtp-url"),
    }
    let state = web::AppState {
        app,
        config: web::WebConfig {
            https: opts.https,
            trusted_proxies: opts.trust_proxy.clone(),
            public_url: opts.public_url.clone(),
        }
        .into(),
    };
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .with_context(|| format!("could not listen on {}", opts.listen))?;
    let local = listener.local_addr()?;
    tracing::info!(database = %url.redacted(), backend, "database ready");
    let shown = if local.ip().is_unspecified() {
        std::net::SocketAddr::new(std::net::Ipv4Addr::LOCALHOST.into(), local.port())
    } else {
        local
    };
    match &opts.public_url {
        Some(public) => println!(
            "Between is running at http://{shown}/ for {} (press Ctrl+C to stop)",
            public.link("/")
        ),
        None => println!("Between is running at http://{shown}/ (press Ctrl+C to stop)"),
    }
    web::serve(listener, state, shutdown_signal()).await?;
    // A message being sent is finished first; one not yet marked is sent again by the next
    // start once its claim runs out.
    let _ = stop_mail.send(());
    if let Some(worker) = worker {
        let _ = worker.await;
    }
    // Requests in flight have finished; fold the write-ahead log into the database file so a
    // stopped installation is one self-contained file.
    let code = close(&store).await?;
    tracing::info!("stopped");
    Ok(code)
}

/// How often the mail worker looks for messages due.
const MAIL_ROUND_EVERY: std::time::Duration = std::time::Duration::from_secs(10);

/// The mailer `serve`'s SMTP options describe, if any. Errors never repeat a password.
fn mailer(opts: &Serve) -> anyhow::Result<Option<Arc<app::mail::Mailer>>> {
    let (Some(url), Some(from)) = (&opts.smtp_url, &opts.mail_from) else {
        return Ok(None);
    };
    let smtp: app::mail::SmtpUrl = url.parse().context("--smtp-url")?;
    let mailer = app::mail::Mailer::new(&app::mail::MailSettings {
        smtp,
        username: opts.smtp_username.clone(),
        password: opts.smtp_password.clone(),
        from: from.clone(),
        link: opts.public_url.as_ref().map(|p| p.link("/therapist")),
    })?;
    Ok(Some(Arc::new(mailer)))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
