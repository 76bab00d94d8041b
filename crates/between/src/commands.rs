//! What each subcommand does.

use std::io::{BufRead, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use app::{App, AppError, NewUser, Settings};
use domain::account::Role;
use store::{DatabaseUrl, Store};

use crate::backup;
use crate::cli::{Cli, Command, Serve, Token, User};
use crate::private;

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
        Command::Backup { ref file } => backup::backup(&cli, file).await,
        Command::Restore { ref file, replace } => backup::restore(&cli, file, replace).await,
        Command::Assess { ref input, ref at } => Ok(assess(input, at.as_deref())),
        Command::Token(Token::Create {
            ref email,
            ref label,
        }) => {
            let (store, _) = open_store(&cli).await?;
            let app = App::new(store.clone(), Settings::default());
            let token = app.create_api_token(email, label).await.map_err(explain)?;
            println!("{token}");
            close(&store).await
        }
    }
}

/// Ends a command that used the database: everything it wrote is folded into the database
/// file before the process exits.
async fn close(store: &Arc<dyn Store>) -> anyhow::Result<ExitCode> {
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

fn explain(e: AppError) -> anyhow::Error {
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

pub(crate) async fn open_store(cli: &Cli) -> anyhow::Result<(Arc<dyn Store>, DatabaseUrl)> {
    let url = match &cli.database_url {
        Some(u) => DatabaseUrl::parse(u)?,
        None => DatabaseUrl::sqlite_in(&data_dir(cli)?),
    };
    let store = store::open(&url)
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
    let (store, url) = open_store(cli).await?;
    let backend = store.backend();
    let app = App::new(
        store.clone(),
        Settings {
            open_signup: opts.open_signup,
            ..Settings::default()
        },
    );
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
    // Requests in flight have finished; fold the write-ahead log into the database file so a
    // stopped installation is one self-contained file.
    let code = close(&store).await?;
    tracing::info!("stopped");
    Ok(code)
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
