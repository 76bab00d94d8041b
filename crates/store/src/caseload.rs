//! A therapist's caseload: every client with a live grant, and the few facts the list shows
//! for each, in one statement however many clients there are.
//!
//! Nothing is recomputed from a client's history here: the level is the latest recorded
//! change of guidance (kept current with every write, see `summaries`), and the rest are
//! indexed lookups and short range scans on `(account_id, at_ms)`. A scope the client does
//! not share is not read at all: each lookup is guarded by the grant's scopes in the SQL.

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use domain::account::AccountId;
use domain::guidance::Level;
use domain::sharing::{GrantId, Scopes};

use crate::StoreError;
use crate::guidance::GuidanceChange;
use crate::rows::{from_ms, ms};
use crate::sqlite::Sql;

/// How far before the last session "usual" looks: four weeks, long enough to hold several
/// check-ins of someone who checks in a few times a week, short enough to be "lately".
pub const USUAL_WINDOW: Duration = Duration::days(28);

/// Check-ins needed in the [`USUAL_WINDOW`] for their average to say what is usual. The
/// caseload counts them only up to this many: the count answers "enough?", and stopping
/// there spares reading four weeks of check-ins a second time for each client.
pub const USUAL_MIN_CHECKINS: i64 = 3;

/// One client on the caseload, as stored. Fields of a scope the client does not share are
/// `None`.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseloadRow {
    /// The grant: the id the therapist knows the client by.
    pub grant: GrantId,
    /// The client's account (never shown to the therapist).
    pub client: AccountId,
    /// The name the client chose for the therapist to see.
    pub display_name: String,
    /// What the client shares.
    pub scopes: Scopes,
    /// The therapist's name as audit rows keep it: their display name, else their email.
    pub therapist_name: String,
    /// The latest recorded change of guidance level: the level now, its reasons and since
    /// when it has held (`checkins` only; `None` before the first assessment too).
    pub guidance: Option<GuidanceChange>,
    /// The latest check-in's time (`checkins`).
    pub last_checkin_at: Option<DateTime<Utc>>,
    /// The latest session at or before now (`checkins`, for the mood since it).
    pub last_session_at: Option<DateTime<Utc>>,
    /// The next session after now (`checkins` or `session_prep`).
    pub next_session_at: Option<DateTime<Utc>>,
    /// Mood since the last session: the average rating and how many check-ins (`checkins`).
    pub since_session: Option<(f64, i64)>,
    /// Mood in the [`USUAL_WINDOW`] before the last session: average and count, counted up
    /// to [`USUAL_MIN_CHECKINS`] (`checkins`).
    pub before_session: Option<(f64, i64)>,
    /// When a look at the caseload was last written to the client's audit log under this
    /// grant; `None` before the first.
    pub caseload_logged_at: Option<DateTime<Utc>>,
}

/// The caseload.
#[async_trait]
pub trait CaseloadStore: Send + Sync {
    /// Every client with a live grant to `therapist`, in no particular order, as of `now`.
    async fn caseload(
        &self,
        therapist: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseloadRow>, StoreError>;
}

db_row! {
pub(crate) struct Row {
    pub id: i64,
    pub client_id: i64,
    pub scopes: String,
    pub display_name: String,
    pub therapist_name: String,
    pub level: Option<String>,
    pub reasons: Option<String>,
    pub level_ms: Option<i64>,
    pub last_checkin_ms: Option<i64>,
    pub last_session_ms: Option<i64>,
    pub next_session_ms: Option<i64>,
    pub since_avg: Option<f64>,
    pub since_n: Option<i64>,
    pub before_avg: Option<f64>,
    pub before_n: Option<i64>,
    pub caseload_logged_ms: Option<i64>,
}
}

impl Row {
    pub(crate) fn into_row(self) -> Result<CaseloadRow, StoreError> {
        let guidance = match (self.level, self.reasons, self.level_ms) {
            (Some(level), Some(reasons), Some(at)) => Some(GuidanceChange {
                at: from_ms(at)?,
                level: Level::parse(&level)
                    .ok_or_else(|| StoreError::Corrupt("guidance level".into()))?,
                reasons: serde_json::from_str(&reasons)
                    .map_err(|_| StoreError::Corrupt("guidance reasons".into()))?,
            }),
            _ => None,
        };
        let pair = |avg: Option<f64>, n: Option<i64>| match (avg, n) {
            (Some(avg), Some(n)) if n > 0 => Some((avg, n)),
            _ => None,
        };
        Ok(CaseloadRow {
            grant: GrantId(self.id),
            client: AccountId(self.client_id),
            display_name: self.display_name,
            therapist_name: self.therapist_name,
            scopes: Scopes::from_stored(&self.scopes)
                .ok_or_else(|| StoreError::Corrupt("grant scopes".into()))?,
            guidance,
            last_checkin_at: self.last_checkin_ms.map(from_ms).transpose()?,
            last_session_at: self.last_session_ms.map(from_ms).transpose()?,
            next_session_at: self.next_session_ms.map(from_ms).transpose()?,
            since_session: pair(self.since_avg, self.since_n),
            before_session: pair(self.before_avg, self.before_n),
            caseload_logged_at: self.caseload_logged_ms.map(from_ms).transpose()?,
        })
    }
}

/// The caseload of therapist `$1` at `$2` (ms), "usual" looking back `$3` ms before the
/// last session, its check-ins counted up to `$4`. Each client costs a handful of index
/// probes and three short range scans of their check-ins, read from the `(account_id, at_ms, mood)` index alone; a scope not shared
/// costs nothing, since the `CASE` never runs its lookup. `s` is materialized so that each
/// client's last session is looked up once, not again in every scan that starts from it.
/// The same text runs on both backends (`||`, `LIKE` and `AS MATERIALIZED` are understood
/// by both; `DOUBLE PRECISION` is a real on SQLite and keeps PostgreSQL's `AVG` a float).
pub(crate) const CASELOAD: &str = "\
WITH g AS (
    SELECT g.id, g.client_id, g.scopes, g.display_name, g.caseload_logged_ms,
           COALESCE(t.display_name, t.email) AS therapist_name,
           (',' || g.scopes || ',') LIKE '%,checkins,%' AS checkins,
           (',' || g.scopes || ',') LIKE '%,session_prep,%' AS session_prep
    FROM share_grants g JOIN accounts t ON t.id = g.therapist_id
    WHERE g.therapist_id = $1 AND g.revoked_ms IS NULL
), s AS MATERIALIZED (
    SELECT g.*,
        CASE WHEN g.checkins THEN (SELECT MAX(t.at_ms) FROM therapy_sessions t
            WHERE t.account_id = g.client_id AND t.at_ms <= $2) END AS last_session_ms,
        CASE WHEN g.checkins OR g.session_prep THEN (SELECT MIN(t.at_ms) FROM therapy_sessions t
            WHERE t.account_id = g.client_id AND t.at_ms > $2) END AS next_session_ms
    FROM g
)
SELECT s.id, s.client_id, s.scopes, s.display_name, s.therapist_name,
    gc.level, gc.reasons, gc.at_ms AS level_ms,
    CASE WHEN s.checkins THEN (SELECT MAX(c.at_ms) FROM checkins c
        WHERE c.account_id = s.client_id) END AS last_checkin_ms,
    s.last_session_ms, s.next_session_ms,
    (SELECT AVG(CAST(c.mood AS DOUBLE PRECISION)) FROM checkins c
        WHERE c.account_id = s.client_id AND c.at_ms >= s.last_session_ms AND c.at_ms <= $2)
        AS since_avg,
    (SELECT COUNT(*) FROM checkins c
        WHERE c.account_id = s.client_id AND c.at_ms >= s.last_session_ms AND c.at_ms <= $2)
        AS since_n,
    (SELECT AVG(CAST(c.mood AS DOUBLE PRECISION)) FROM checkins c
        WHERE c.account_id = s.client_id AND c.at_ms >= s.last_session_ms - $3
          AND c.at_ms < s.last_session_ms) AS before_avg,
    (SELECT COUNT(*) FROM (SELECT 1 FROM checkins c
        WHERE c.account_id = s.client_id AND c.at_ms >= s.last_session_ms - $3
          AND c.at_ms < s.last_session_ms LIMIT $4) AS enough) AS before_n,
    s.caseload_logged_ms
FROM s
LEFT JOIN guidance_changes gc ON s.checkins AND gc.id = (
    SELECT x.id FROM guidance_changes x WHERE x.account_id = s.client_id
    ORDER BY x.at_ms DESC, x.id DESC LIMIT 1)";

#[async_trait]
impl CaseloadStore for crate::sqlite::SqliteStore {
    async fn caseload(
        &self,
        therapist: AccountId,
        now: DateTime<Utc>,
    ) -> Result<Vec<CaseloadRow>, StoreError> {
        let window = USUAL_WINDOW.num_milliseconds();
        let rows: Vec<Row> = self.db()?.read(|conn| {
            conn.rows(
                CASELOAD,
                &[&therapist.0, &ms(now), &window, &USUAL_MIN_CHECKINS],
            )
        })?;
        rows.into_iter().map(Row::into_row).collect()
    }
}

macro_rules! impl_caseload_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::caseload::CaseloadStore for $ty {
            async fn caseload(
                &self,
                therapist: domain::account::AccountId,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Vec<$crate::caseload::CaseloadRow>, $crate::StoreError> {
                all_rows!(
                    self,
                    $crate::caseload::CASELOAD,
                    [
                        therapist.0,
                        $crate::rows::ms(now),
                        $crate::caseload::USUAL_WINDOW.num_milliseconds(),
                        $crate::caseload::USUAL_MIN_CHECKINS
                    ],
                    $crate::caseload::Row::into_row
                )
            }
        }
    };
}
