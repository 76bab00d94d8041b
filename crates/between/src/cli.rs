//! Command-line arguments; every option also reads a `BETWEEN_*` environment variable.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Between: a companion for the days between therapy sessions.
#[derive(Debug, Parser)]
#[command(name = "between", version, about)]
pub struct Cli {
    /// Where to keep data. The SQLite database lives here unless --database-url says otherwise.
    #[arg(long, env = "BETWEEN_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,

    /// sqlite://PATH or postgres://USER@HOST/DB. Defaults to a SQLite file in the data dir.
    #[arg(
        long,
        env = "BETWEEN_DATABASE_URL",
        global = true,
        hide_env_values = true
    )]
    pub database_url: Option<String>,

    /// The master key file that encrypts what people write. Defaults to master.key in the data
    /// dir; keep it apart from database backups (docs/privacy.md). Created at first start.
    #[arg(long, env = "BETWEEN_MASTER_KEY_FILE", global = true)]
    pub master_key_file: Option<PathBuf>,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web app.
    Serve(Serve),
    /// Apply database migrations and exit.
    Migrate,
    /// Manage accounts.
    #[command(subcommand)]
    User(User),
    /// Manage personal API tokens.
    #[command(subcommand)]
    Token(Token),
    /// Write every piece of an account's data as one JSON document (docs/export-format.md),
    /// the same as Settings → "Your data" gives; `assess` reads it too.
    Export {
        /// The account's email.
        #[arg(required_unless_present = "user", conflicts_with = "user")]
        email: Option<String>,
        /// The account's email (the older spelling of the argument above).
        #[arg(long)]
        user: Option<String>,
        /// Write to this file (created readable by its owner only) instead of standard output.
        #[arg(long, visible_alias = "out")]
        output: Option<PathBuf>,
        /// Write only what guidance reads, in the history format (docs/history-format.md).
        #[arg(long)]
        history: bool,
    },
    /// Write a consistent copy of the whole database to FILE (safe while the server runs).
    Backup {
        /// Where to write it; it is created readable by its owner only.
        file: PathBuf,
    },
    /// Load a backup into a database that holds no accounts.
    Restore {
        /// A file written by `between backup`, from SQLite or PostgreSQL.
        file: PathBuf,
        /// Replace all data in a database that already has some: the current data is saved
        /// as a backup beside the database first. Stop the server before using it.
        #[arg(long)]
        replace: bool,
    },
    /// Manage the master key that encrypts what people write.
    #[command(subcommand)]
    Key(Key),
    /// Print the guidance for a history file, or an export, as JSON.
    Assess {
        /// A history file (see docs/history-format.md) or a file `between export` wrote; `-`
        /// reads standard input.
        #[arg(long)]
        input: PathBuf,
        /// The moment to assess at (RFC 3339); defaults to now.
        #[arg(long)]
        at: Option<String>,
    },
}

/// Options of `serve`.
#[derive(Debug, Args)]
pub struct Serve {
    /// Address to listen on (use port 0 to pick a free one).
    #[arg(long, env = "BETWEEN_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: SocketAddr,

    /// Set when people reach this server over HTTPS (directly or through a proxy): cookies
    /// become `__Host-` and `Secure`, and HSTS is sent.
    #[arg(long, env = "BETWEEN_HTTPS", default_value_t = false)]
    pub https: bool,

    /// Let anyone create an account, not only the first visitor.
    #[arg(long, env = "BETWEEN_OPEN_SIGNUP", default_value_t = false)]
    pub open_signup: bool,

    /// Reverse proxies to believe about the client's address: for connections from these
    /// ranges (e.g. 10.0.0.0/8 or 127.0.0.1/32; several separated by commas) the address is
    /// read from X-Forwarded-For. From anywhere else that header is ignored.
    #[arg(long, env = "BETWEEN_TRUST_PROXY", value_delimiter = ',')]
    pub trust_proxy: Vec<web::proxy::Cidr>,

    /// The address people use, e.g. https://between.example.org. When set, requests for any
    /// other host are answered 421, and absolute links use this address.
    #[arg(long, env = "BETWEEN_PUBLIC_URL")]
    pub public_url: Option<web::public_url::PublicUrl>,

    /// The SMTP server alert emails to therapists go through: smtp://HOST[:PORT] (STARTTLS
    /// whenever the server offers it; port 587 unless given) or smtps://HOST[:PORT] (TLS
    /// from the start; port 465), with USER:PASSWORD@ before the host if it needs them.
    /// Without it, clients are not offered alerts.
    // Read as text and checked by `serve`: a parse error from here would repeat the value,
    // password and all.
    #[arg(
        long,
        env = "BETWEEN_SMTP_URL",
        hide_env_values = true,
        requires = "mail_from"
    )]
    pub smtp_url: Option<String>,

    /// The SMTP user name, when the URL does not carry one.
    #[arg(long, env = "BETWEEN_SMTP_USERNAME", hide_env_values = true)]
    pub smtp_username: Option<String>,

    /// The SMTP password, when the URL does not carry one (best given in the environment).
    #[arg(long, env = "BETWEEN_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,

    /// The sender of alert emails, e.g. "Between <between@example.org>".
    #[arg(long, env = "BETWEEN_MAIL_FROM", requires = "smtp_url")]
    pub mail_from: Option<String>,
}

/// `user` subcommands.
#[derive(Debug, Subcommand)]
pub enum User {
    /// Create an account. The password is read from stdin when it is not a terminal.
    Add {
        /// Email address to sign in with.
        email: String,
        /// client, therapist or admin.
        #[arg(long, default_value = "client")]
        role: String,
        /// Two-letter country code for the crisis lines (GB, US, …). With --timezone too,
        /// the person is not asked the first-run questions after signing in.
        #[arg(long)]
        country: Option<String>,
        /// IANA time zone the person's days are counted in (Europe/London, …).
        #[arg(long)]
        timezone: Option<String>,
    },
    /// List every account: email, role, created, country and last check-in date.
    List,
    /// Delete an account and everything in it, for good.
    Delete {
        /// The account's email.
        email: String,
        /// Confirm the deletion; without it nothing is deleted and what would be is said.
        #[arg(long)]
        yes: bool,
    },
    /// Set a new password for an account (read from stdin when it is not a terminal) and
    /// sign it out everywhere: every browser session and every API token ends.
    Passwd {
        /// The account's email.
        email: String,
    },
    /// Turn two-step sign-in off for an account whose owner lost both the phone and the
    /// recovery codes; they sign in with the password and may turn it on again (a therapist
    /// must, before seeing client data).
    TwoStepOff {
        /// The account's email.
        email: String,
    },
}

/// `token` subcommands.
#[derive(Debug, Subcommand)]
pub enum Token {
    /// Print a new personal API token for an account (shown once; only its hash is kept).
    Create {
        /// The account's email.
        email: String,
        /// A name to recognise the token by, unique among the account's tokens. Without
        /// one it is "personal token" (or "personal token 2", … when that is taken).
        #[arg(long, alias = "label")]
        name: Option<String>,
        /// Let the token stop working after this many days, written like 90d (1d to
        /// 3650d). Without it, the token works until it is revoked.
        #[arg(long, value_name = "DAYS", value_parser = parse_days)]
        expires_in: Option<u32>,
    },
    /// List an account's tokens: name, created, last used, expires (never the token).
    List {
        /// The account's email.
        email: String,
    },
    /// Revoke an account's token by its name; anything using it is refused at once.
    Revoke {
        /// The account's email.
        email: String,
        /// The token's name, as `token list` shows it.
        name: String,
    },
}

fn parse_days(text: &str) -> Result<u32, String> {
    app::parse_expiry_days(text)
}

/// `key` subcommands.
#[derive(Debug, Subcommand)]
pub enum Key {
    /// Make a new master key and re-wrap every account's data key under it. Stop every
    /// server using the database first. The old key file is kept beside the new one as
    /// `.old`: backups taken before need it.
    Rotate,
}
