//! `between user list` and `between user delete`: the operator's view of who has an account,
//! and removing one for good.

use std::process::ExitCode;

use app::{App, Settings};

use crate::cli::Cli;
use crate::commands::{close, explain, open_store};

/// What deleting an account removes, in the words the refusal without `--yes` uses.
const WHAT_GOES: &str = "its check-ins, therapy sessions and reflections, journal, agenda, \
     homework, feedback notes, coping lists and uses, questionnaires, safety and backsliding \
     plans with every version, its settings, and every sign-in and API token";

/// Prints every account as a plain table: email, role, created, country, last check-in.
/// Dates are days in UTC; nothing a person wrote or rated is shown.
pub async fn list(cli: &Cli) -> anyhow::Result<ExitCode> {
    let (store, _) = open_store(cli).await?;
    let app = App::new(store.clone(), Settings::default());
    let accounts = app.account_listing().await.map_err(explain)?;
    if accounts.is_empty() {
        println!("No accounts yet.");
        return close(&store).await;
    }
    let rows: Vec<[String; 5]> = accounts
        .iter()
        .map(|a| {
            [
                a.email.as_str().to_string(),
                a.role.as_str().to_string(),
                a.created_at.format("%Y-%m-%d").to_string(),
                a.country.map_or("-", |c| c.code()).to_string(),
                a.last_checkin_at
                    .map_or_else(|| "-".to_string(), |t| t.format("%Y-%m-%d").to_string()),
            ]
        })
        .collect();
    let header = ["EMAIL", "ROLE", "CREATED", "COUNTRY", "LAST CHECK-IN"].map(String::from);
    let mut widths = header.clone().map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    for row in std::iter::once(&header).chain(&rows) {
        let line: Vec<String> = row
            .iter()
            .zip(widths)
            .map(|(cell, w)| format!("{cell:<w$}"))
            .collect();
        println!("{}", line.join("  ").trim_end());
    }
    close(&store).await
}

/// Deletes the account with everything in it, only when `yes` confirms it; otherwise says
/// what would be deleted and deletes nothing (exit status 2).
pub async fn delete(cli: &Cli, email: &str, yes: bool) -> anyhow::Result<ExitCode> {
    let (store, _) = open_store(cli).await?;
    let app = App::new(store.clone(), Settings::default());
    let account = app.account_by_email(email).await.map_err(explain)?;
    if !yes {
        eprintln!(
            "between: nothing was deleted. Deleting {} removes the account and {WHAT_GOES}. \
             It cannot be undone (backups taken earlier still hold it until they are \
             deleted). To delete it, run again with --yes.",
            account.email.as_str()
        );
        close(&store).await?;
        return Ok(ExitCode::from(2));
    }
    let gone = app
        .delete_account_by_email(account.email.as_str())
        .await
        .map_err(explain)?;
    println!(
        "Deleted the account {} and everything in it.",
        gone.email.as_str()
    );
    close(&store).await
}
