//! Email: the server's SMTP settings, the alert a therapist gets, and the worker that
//! delivers the outbox (see `store::outbox`).
//!
//! Nothing here logs an address, a message body or a credential: a delivery is logged by
//! the outbox row's number, its attempts and the kind of failure only.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use lettre::message::{Mailbox, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use store::{AlertMail, ClaimedMail, Store};

/// The subject of an alert: the same for every alert, naming no one.
pub const ALERT_SUBJECT: &str = "A client may want to hear from you";
/// The alert's words: no name, no level, no reason, so the message holds nothing of the
/// client's health wherever it is read or kept. One sentence a line, each short enough to
/// travel as plain 7-bit text (RFC 5322 asks for lines under 78 characters).
pub const ALERT_TEXT: &str =
    "A client you work with may want to hear from you.\nSign in to Between to see more.";

/// The first retry waits this long; each one after waits twice as long as the one before…
pub const FIRST_RETRY: Duration = Duration::from_secs(60);
/// …up to this.
pub const LONGEST_RETRY: Duration = Duration::from_secs(60 * 60);
/// A message not delivered within this long after it was written is given up: an alert a
/// day late has lost its point, and the therapist sees the level on signing in anyway.
pub const GIVE_UP_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// How long a claim holds a message: longer than a send may take (see [`SEND_TIMEOUT`]),
/// so a message is taken over only from a worker that stopped.
pub const CLAIM_FOR: Duration = Duration::from_secs(5 * 60);
/// The longest one SMTP exchange step may take before the attempt counts as failed.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(60);
/// Sent and given-up messages are removed this long after they were written.
pub const KEEP_FOR: Duration = Duration::from_secs(7 * 24 * 60 * 60);
/// How many messages one round claims.
const BATCH: i64 = 20;

/// Whether a URL's connection is encrypted from the start or upgraded when offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SmtpSecurity {
    /// `smtp://`: plain, upgraded with STARTTLS whenever the server offers it.
    StartTlsWhenOffered,
    /// `smtps://`: TLS from the first byte (RFC 8314).
    ImplicitTls,
}

/// Where and how to send email: `smtp://[user[:password]@]host[:port]` or `smtps://…`.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl {
    /// Plain (upgraded when offered) or implicit TLS.
    pub security: SmtpSecurity,
    /// The server's host name or address.
    pub host: String,
    /// The port: by default 587 for `smtp://` (message submission, RFC 6409) and 465 for
    /// `smtps://` (RFC 8314).
    pub port: u16,
    /// The user name and password, when the URL carries them.
    pub credentials: Option<(String, String)>,
}

impl std::fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The credentials are never printed.
        f.debug_struct("SmtpUrl")
            .field("security", &self.security)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("credentials", &self.credentials.as_ref().map(|_| "***"))
            .finish()
    }
}

/// Why mail settings could not be used. The messages never repeat a password.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
pub enum MailConfigError {
    /// The SMTP URL is not one Between understands.
    #[error(
        "the SMTP URL must look like smtp://HOST[:PORT] or smtps://HOST[:PORT], with an optional USER:PASSWORD@ before the host: {0}"
    )]
    BadUrl(&'static str),
    /// The sender address is not an address.
    #[error("--mail-from must be an email address, like \"Between <between@example.org>\"")]
    BadFrom,
    /// Only half the settings were given.
    #[error("alert emails need both --smtp-url and --mail-from")]
    Incomplete,
    /// TLS could not be set up (no usable certificate authorities).
    #[error("TLS for the SMTP server could not be set up: {0}")]
    Tls(String),
}

impl std::str::FromStr for SmtpUrl {
    type Err = MailConfigError;

    fn from_str(s: &str) -> Result<SmtpUrl, MailConfigError> {
        let (scheme, rest) = s
            .trim()
            .split_once("://")
            .ok_or(MailConfigError::BadUrl("no scheme"))?;
        let (security, default_port) = match scheme.to_ascii_lowercase().as_str() {
            "smtp" => (SmtpSecurity::StartTlsWhenOffered, 587),
            "smtps" => (SmtpSecurity::ImplicitTls, 465),
            _ => return Err(MailConfigError::BadUrl("the scheme must be smtp or smtps")),
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.contains(['/', '?', '#']) {
            return Err(MailConfigError::BadUrl("no path or query is used"));
        }
        // The last `@` ends the user information: a password may hold one.
        let (userinfo, authority) = match rest.rsplit_once('@') {
            Some((u, a)) => (Some(u), a),
            None => (None, rest),
        };
        let credentials = userinfo
            .map(|u| {
                let (user, password) = u.split_once(':').unwrap_or((u, ""));
                Ok::<_, MailConfigError>((percent_decode(user)?, percent_decode(password)?))
            })
            .transpose()?;
        let port_of = |p: &str| {
            p.parse::<u16>()
                .ok()
                .filter(|p| *p != 0)
                .ok_or(MailConfigError::BadUrl(
                    "the port must be a number from 1 to 65535",
                ))
        };
        let (host, port) = if let Some(bracketed) = authority.strip_prefix('[') {
            // An IPv6 address, in brackets as in any URL.
            let (host, after) = bracketed.split_once(']').ok_or(MailConfigError::BadUrl(
                "an IPv6 address needs its closing bracket",
            ))?;
            let port = match after {
                "" => default_port,
                p => port_of(
                    p.strip_prefix(':')
                        .ok_or(MailConfigError::BadUrl("only a port may follow the host"))?,
                )?,
            };
            if host.parse::<std::net::Ipv6Addr>().is_err() {
                return Err(MailConfigError::BadUrl("the IPv6 address is not valid"));
            }
            (host, port)
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((h, p)) => (h, port_of(p)?),
                None => (authority, default_port),
            };
            if host.is_empty()
                || !host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.'))
            {
                return Err(MailConfigError::BadUrl(
                    "the host is missing or not a host name",
                ));
            }
            (host, port)
        };
        Ok(SmtpUrl {
            security,
            host: host.to_ascii_lowercase(),
            port,
            credentials,
        })
    }
}

/// Decodes `%XX` escapes (a password may need them for `@`, `:` or `/`).
fn percent_decode(s: &str) -> Result<String, MailConfigError> {
    let bad = MailConfigError::BadUrl("a %-escape in the user name or password is not valid");
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes.get(i + 1..i + 3).ok_or(bad.clone())?;
            let hex = std::str::from_utf8(hex).map_err(|_| bad.clone())?;
            out.push(u8::from_str_radix(hex, 16).map_err(|_| bad.clone())?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| bad)
}

/// The operator's mail settings, as `serve` takes them.
#[derive(Clone)]
pub struct MailSettings {
    /// The SMTP server.
    pub smtp: SmtpUrl,
    /// Credentials given apart from the URL (`BETWEEN_SMTP_USERNAME`/`_PASSWORD`); the
    /// URL's own win.
    pub username: Option<String>,
    /// See `username`.
    pub password: Option<String>,
    /// The sender, e.g. `Between <between@example.org>`.
    pub from: String,
    /// The server's public address, linked from each alert when known.
    pub link: Option<String>,
}

/// What sends mail: an SMTP connection per round of deliveries.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    alert: AlertMail,
    /// For the start-up line: host and port, never credentials.
    server: String,
}

impl std::fmt::Debug for Mailer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("server", &self.server)
            .finish()
    }
}

impl Mailer {
    /// Checks the settings and prepares the connection (TLS with the system's certificate
    /// authorities; nothing is sent yet).
    pub fn new(settings: &MailSettings) -> Result<Mailer, MailConfigError> {
        let from: Mailbox = settings
            .from
            .parse()
            .map_err(|_| MailConfigError::BadFrom)?;
        let url = &settings.smtp;
        let tls_params = || {
            TlsParameters::new(url.host.clone()).map_err(|e| MailConfigError::Tls(e.to_string()))
        };
        let tls = match url.security {
            SmtpSecurity::StartTlsWhenOffered => Tls::Opportunistic(tls_params()?),
            SmtpSecurity::ImplicitTls => Tls::Wrapper(tls_params()?),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&url.host)
            .port(url.port)
            .tls(tls)
            .timeout(Some(SEND_TIMEOUT));
        let credentials = url.credentials.clone().or_else(|| {
            settings
                .username
                .clone()
                .map(|u| (u, settings.password.clone().unwrap_or_default()))
        });
        if let Some((user, password)) = credentials {
            builder = builder.credentials(Credentials::new(user, password));
        }
        Ok(Mailer {
            transport: builder.build(),
            from,
            alert: alert_mail(settings.link.as_deref()),
            server: format!("{}:{}", url.host, url.port),
        })
    }

    /// The SMTP server's host and port, for the start-up line.
    pub fn server(&self) -> &str {
        &self.server
    }

    /// The alert this server writes.
    pub fn alert(&self) -> &AlertMail {
        &self.alert
    }

    /// Sends one message; the error says only what kind of failure it was.
    async fn send(&self, mail: &ClaimedMail) -> Result<(), SendError> {
        let to: Mailbox = mail.recipient.parse().map_err(|_| SendError::BadAddress)?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|_| SendError::BadAddress)?;
        self.transport
            .send(message)
            .await
            .map(|_| ())
            .map_err(|e| SendError::Smtp(describe(&e)))
    }
}

/// The alert with its words, and the link when the server's address is known.
pub fn alert_mail(link: Option<&str>) -> AlertMail {
    let body = match link {
        Some(link) => format!("{ALERT_TEXT}\n\n{link}\n"),
        None => format!("{ALERT_TEXT}\n"),
    };
    AlertMail {
        subject: ALERT_SUBJECT.to_string(),
        body,
    }
}

/// Why one send failed.
#[derive(Debug, Clone, PartialEq, Eq)]
enum SendError {
    /// The stored address cannot be written in a message: trying again cannot help.
    BadAddress,
    /// The server or the connection failed, in the words of [`describe`].
    Smtp(String),
}

impl SendError {
    fn text(&self) -> String {
        match self {
            SendError::BadAddress => "the address cannot be used".into(),
            SendError::Smtp(s) => s.clone(),
        }
    }
}

/// An SMTP error as its kind and reply code, without the server's own words (which may
/// repeat the address).
fn describe(e: &lettre::transport::smtp::Error) -> String {
    let code = e.status().map(|c| format!(" {c}")).unwrap_or_default();
    let kind = if e.is_permanent() {
        "refused"
    } else if e.is_transient() {
        "deferred"
    } else if e.is_timeout() {
        "timed out"
    } else if e.is_tls() {
        "TLS failed"
    } else if e.is_response() {
        "unreadable reply"
    } else {
        "connection failed"
    };
    format!("{kind}{code}")
}

/// When to try a message again after its `attempts`-th attempt failed at `now`: one minute
/// doubling to an hour, or `None` once it was written more than [`GIVE_UP_AFTER`] ago.
pub fn retry_at(
    attempts: i64,
    created: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    let deadline = created + TimeDelta::from_std(GIVE_UP_AFTER).ok()?;
    if now >= deadline {
        return None;
    }
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 16)).unwrap_or(16);
    let wait = FIRST_RETRY
        .saturating_mul(2u32.saturating_pow(doublings))
        .min(LONGEST_RETRY);
    Some(now + TimeDelta::from_std(wait).ok()?)
}

/// What one round of delivery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Round {
    /// Messages sent.
    pub sent: usize,
    /// Messages that failed and will be tried again.
    pub retrying: usize,
    /// Messages given up.
    pub given_up: usize,
}

/// Delivers the outbox: claims due messages, sends each, and marks it.
#[derive(Clone)]
pub struct MailWorker {
    store: Arc<dyn Store>,
    mailer: Arc<Mailer>,
}

impl MailWorker {
    /// A worker for `store`'s outbox, sending through `mailer`.
    pub fn new(store: Arc<dyn Store>, mailer: Arc<Mailer>) -> MailWorker {
        MailWorker { store, mailer }
    }

    /// One round at `now`: every due message claimed (in batches) is sent or rescheduled.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<Round, crate::AppError> {
        let mut round = Round::default();
        let until = now + TimeDelta::from_std(CLAIM_FOR).unwrap_or(TimeDelta::zero());
        loop {
            let batch = self.store.claim_mail(now, until, BATCH).await?;
            if batch.is_empty() {
                return Ok(round);
            }
            for mail in batch {
                match self.mailer.send(&mail).await {
                    Ok(()) => {
                        self.store
                            .mail_sent(mail.id, &mail.claim, Utc::now())
                            .await?;
                        round.sent += 1;
                    }
                    Err(e) => {
                        let retry = match e {
                            SendError::BadAddress => None,
                            SendError::Smtp(_) => retry_at(mail.attempts, mail.created, now),
                        };
                        self.store
                            .mail_failed(mail.id, &mail.claim, now, retry, &e.text())
                            .await?;
                        match retry {
                            Some(_) => {
                                round.retrying += 1;
                                tracing::warn!(
                                    message_id = mail.id,
                                    attempts = mail.attempts,
                                    error = %e.text(),
                                    "an email could not be sent; it will be tried again"
                                );
                            }
                            None => {
                                round.given_up += 1;
                                tracing::error!(
                                    message_id = mail.id,
                                    attempts = mail.attempts,
                                    error = %e.text(),
                                    "an email could not be sent and was given up"
                                );
                            }
                        }
                    }
                }
            }
        }
    }

    /// Delivers every `every` until `stop` resolves, and forgets old messages once an hour.
    /// A failing round (the database unreachable) is logged and tried at the next tick.
    pub async fn run(self, every: Duration, stop: impl std::future::Future<Output = ()>) {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut last_cleanup: Option<DateTime<Utc>> = None;
        tokio::pin!(stop);
        loop {
            tokio::select! {
                () = &mut stop => return,
                _ = tick.tick() => {}
            }
            let now = Utc::now();
            if let Err(e) = self.deliver_due(now).await {
                tracing::error!(error = %e, "the outbox could not be read");
            }
            if last_cleanup.is_none_or(|t| now - t >= TimeDelta::hours(1)) {
                let before = now - TimeDelta::from_std(KEEP_FOR).unwrap_or(TimeDelta::zero());
                match self.store.forget_old_mail(before).await {
                    Ok(_) => last_cleanup = Some(now),
                    Err(e) => tracing::error!(error = %e, "old emails could not be removed"),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t0() -> DateTime<Utc> {
        DateTime::from_timestamp(1_750_000_000, 0).unwrap_or_default()
    }

    #[test]
    fn retries_start_at_a_minute_and_double_to_an_hour() {
        let created = t0();
        let waits: Vec<i64> = (1..=9)
            .map(|n| {
                let now = created + TimeDelta::minutes(n);
                (retry_at(n, created, now).unwrap() - now).num_seconds()
            })
            .collect();
        assert_eq!(
            waits,
            [60, 120, 240, 480, 960, 1920, 3600, 3600, 3600],
            "one minute, doubling, then an hour"
        );
        // A huge count neither overflows nor waits longer than an hour.
        let now = created + TimeDelta::hours(1);
        assert_eq!(
            retry_at(i64::MAX, created, now).map(|t| t - now),
            Some(TimeDelta::hours(1))
        );
        assert_eq!(
            retry_at(0, created, now).map(|t| t - now),
            Some(TimeDelta::minutes(1))
        );
    }

    #[test]
    fn a_message_is_given_up_a_day_after_it_was_written() {
        let created = t0();
        let almost = created + TimeDelta::hours(24) - TimeDelta::seconds(1);
        assert!(retry_at(30, created, almost).is_some());
        assert_eq!(retry_at(30, created, created + TimeDelta::hours(24)), None);
        assert_eq!(retry_at(1, created, created + TimeDelta::days(3)), None);
    }

    #[test]
    fn smtp_urls() {
        let u: SmtpUrl = "smtp://mail.example.org".parse().unwrap();
        assert_eq!(u.security, SmtpSecurity::StartTlsWhenOffered);
        assert_eq!(
            (u.host.as_str(), u.port, u.credentials),
            ("mail.example.org", 587, None)
        );
        let u: SmtpUrl = "smtps://me%40x:p%3Ass@Mail.Example.org:2465"
            .parse()
            .unwrap();
        assert_eq!(u.security, SmtpSecurity::ImplicitTls);
        assert_eq!((u.host.as_str(), u.port), ("mail.example.org", 2465));
        assert_eq!(u.credentials, Some(("me@x".into(), "p:ss".into())));
        let u: SmtpUrl = "smtp://user:pa@ss@127.0.0.1:2525/".parse().unwrap();
        assert_eq!(u.credentials, Some(("user".into(), "pa@ss".into())));
        assert_eq!((u.host.as_str(), u.port), ("127.0.0.1", 2525));
        let u: SmtpUrl = "smtp://[::1]:25".parse().unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 25));
        assert_eq!("smtps://[::1]".parse::<SmtpUrl>().unwrap().port, 465);
        for bad in [
            "",
            "mail.example.org",
            "http://mail.example.org",
            "smtp://",
            "smtp://mail.example.org:0",
            "smtp://mail.example.org:99999",
            "smtp://mail.example.org:x",
            "smtp://mail.example.org/path",
            "smtp://mail.example.org?tls=no",
            "smtp://a b",
            "smtp://u:%zz@host",
            "smtp://::1",
        ] {
            assert!(bad.parse::<SmtpUrl>().is_err(), "{bad}");
        }
    }

    #[test]
    fn urls_never_print_their_password() {
        let u: SmtpUrl = "smtp://me:hunter2@mail.example.org".parse().unwrap();
        let shown = format!("{u:?}");
        assert!(
            !shown.contains("hunter2") && shown.contains("***"),
            "{shown}"
        );
    }

    #[test]
    fn the_alert_says_nothing_of_the_client() {
        let a = alert_mail(Some("https://between.example.org/therapist"));
        assert_eq!(a.subject, "A client may want to hear from you");
        assert_eq!(
            a.body,
            "A client you work with may want to hear from you.\nSign in to Between to see \
             more.\n\nhttps://between.example.org/therapist\n"
        );
        assert_eq!(alert_mail(None).body, format!("{ALERT_TEXT}\n"));
    }
}
