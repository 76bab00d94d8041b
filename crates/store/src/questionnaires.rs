//! PHQ-9 and GAD-7 answers: the [`QuestionnaireStore`], written once for
//! both backends like the rest.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use domain::questionnaire::{
    Answers, Difficulty, Instrument, NewQuestionnaire, Questionnaire, QuestionnaireId,
};

use domain::account::AccountId;
use domain::idempotency::Written;

use crate::StoreError;

/// Filled-in questionnaires, each scoped to one account.
#[async_trait]
pub trait QuestionnaireStore: Send + Sync {
    /// Stores a questionnaire once per client id; a retry returns the stored one.
    async fn insert_questionnaire(
        &self,
        account: AccountId,
        questionnaire: &NewQuestionnaire,
    ) -> Result<(Questionnaire, Written), StoreError>;
    /// One of the account's questionnaires by id; `None` when there is none or it is
    /// another's.
    async fn questionnaire(
        &self,
        account: AccountId,
        id: QuestionnaireId,
    ) -> Result<Option<Questionnaire>, StoreError>;
    /// The account's latest `instrument` at or before `until` (the last written of those at
    /// the same time): one index step, however many there are.
    async fn latest_questionnaire(
        &self,
        account: AccountId,
        instrument: Instrument,
        until: DateTime<Utc>,
    ) -> Result<Option<Questionnaire>, StoreError>;
    /// The account's questionnaires (of one instrument, or all) with `from <= at`, oldest
    /// first.
    async fn questionnaires(
        &self,
        account: AccountId,
        instrument: Option<Instrument>,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<Questionnaire>, StoreError>;
}

db_row! {
pub(crate) struct QuestionnaireRow {
    pub id: i64,
    pub account_id: i64,
    pub client_id: String,
    pub instrument: String,
    pub at_ms: i64,
    pub answers: String,
    pub difficulty: Option<String>,
    pub created_ms: i64,
}
}

impl QuestionnaireRow {
    pub fn into_questionnaire(self) -> Result<Questionnaire, StoreError> {
        let answers = stored_answers(&self.instrument, &self.answers)?;
        Ok(Questionnaire {
            id: QuestionnaireId(self.id),
            account_id: AccountId(self.account_id),
            content: NewQuestionnaire {
                client_id: self
                    .client_id
                    .parse()
                    .map_err(|_| StoreError::Corrupt("client id".into()))?,
                at: crate::rows::from_ms(self.at_ms)?,
                answers,
                difficulty: self
                    .difficulty
                    .map(|d| {
                        Difficulty::parse(&d)
                            .ok_or_else(|| StoreError::Corrupt("questionnaire difficulty".into()))
                    })
                    .transpose()?,
            },
            created_at: crate::rows::from_ms(self.created_ms)?,
        })
    }
}

/// Answers as stored: the instrument's code and a JSON array of numbers.
pub(crate) fn stored_answers(instrument: &str, answers: &str) -> Result<Answers, StoreError> {
    let instrument = Instrument::parse(instrument)
        .ok_or_else(|| StoreError::Corrupt("questionnaire instrument".into()))?;
    let items: Vec<u8> = serde_json::from_str(answers)
        .map_err(|_| StoreError::Corrupt("questionnaire answers".into()))?;
    Answers::new(instrument, &items)
        .map_err(|_| StoreError::Corrupt("questionnaire answers out of range".into()))
}

/// The answers as stored: a JSON array of numbers.
pub(crate) fn answers_json(answers: &Answers) -> String {
    let items: Vec<String> = answers.items().iter().map(u8::to_string).collect();
    format!("[{}]", items.join(","))
}

macro_rules! questionnaire_columns {
    () => {
        "id, account_id, client_id, instrument, at_ms, answers, difficulty, created_ms"
    };
}

macro_rules! questionnaire_values {
    () => {
        "(account_id, client_id, instrument, at_ms, answers, difficulty, created_ms) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)"
    };
}

/// The account's questionnaires with `from <= at`, of one instrument (`$3`) or all (`''`).
pub(crate) const SINCE: &str = concat!(
    "SELECT ",
    questionnaire_columns!(),
    " FROM questionnaires WHERE account_id = $1 AND at_ms >= $2 \
     AND ($3 = '' OR instrument = $3) ORDER BY at_ms, id"
);

/// The account's questionnaire `$2`.
pub(crate) const BY_ID: &str = concat!(
    "SELECT ",
    questionnaire_columns!(),
    " FROM questionnaires WHERE account_id = $1 AND id = $2"
);

/// The latest of one instrument up to a moment; the index on (account, time) is walked from
/// the newest end and stops at the first match.
pub(crate) const LATEST: &str = concat!(
    "SELECT ",
    questionnaire_columns!(),
    " FROM questionnaires WHERE account_id = $1 AND instrument = $2 AND at_ms <= $3 \
     ORDER BY at_ms DESC, id DESC LIMIT 1"
);

#[async_trait]
impl QuestionnaireStore for crate::sqlite::SqliteStore {
    async fn questionnaire(
        &self,
        account: AccountId,
        id: QuestionnaireId,
    ) -> Result<Option<Questionnaire>, StoreError> {
        self.optional_row(
            BY_ID,
            &[&account.0, &id.0],
            QuestionnaireRow::into_questionnaire,
        )
    }

    async fn latest_questionnaire(
        &self,
        account: AccountId,
        instrument: Instrument,
        until: DateTime<Utc>,
    ) -> Result<Option<Questionnaire>, StoreError> {
        self.optional_row(
            LATEST,
            &[&account.0, &instrument.code(), &crate::rows::ms(until)],
            QuestionnaireRow::into_questionnaire,
        )
    }

    async fn insert_questionnaire(
        &self,
        account: AccountId,
        q: &NewQuestionnaire,
    ) -> Result<(Questionnaire, Written), StoreError> {
        let q = q.clone();
        let alerts = self.alert_mail();
        let (row, written): (QuestionnaireRow, Written) = self
            .db()?
            .write(move |conn| {
                let stored = crate::sqlite::sql::insert_or_existing(
                    conn,
                    insert_new_sql!(
                        "questionnaires",
                        questionnaire_columns!(),
                        questionnaire_values!()
                    ),
                    existing_sql!("questionnaires", questionnaire_columns!()),
                    &[
                        &account.0,
                        &q.client_id.to_string(),
                        &q.answers.instrument().code(),
                        &crate::rows::ms(q.at),
                        &answers_json(&q.answers),
                        &q.difficulty.map(|d| d.code()),
                        &crate::rows::ms(Utc::now()),
                    ],
                    account,
                    q.client_id,
                )?;
                if stored.1 == Written::Created {
                    // Guidance sees the new scores in the same transaction.
                    crate::summaries::reassess_sqlite(
                        conn,
                        account,
                        &crate::summaries::HistoryChange::Questionnaire(q.record()),
                        Utc::now(),
                        alerts.as_deref(),
                    )?;
                }
                Ok(stored)
            })
            .await?;
        Ok((row.into_questionnaire()?, written))
    }

    async fn questionnaires(
        &self,
        account: AccountId,
        instrument: Option<Instrument>,
        from: Option<DateTime<Utc>>,
    ) -> Result<Vec<Questionnaire>, StoreError> {
        self.all_rows(
            SINCE,
            &[
                &account.0,
                &crate::rows::ms_from(from),
                &instrument.map(|i| i.code()).unwrap_or(""),
            ],
            QuestionnaireRow::into_questionnaire,
        )
    }
}

macro_rules! impl_questionnaire_store {
    ($ty:ty) => {
        #[async_trait::async_trait]
        impl $crate::questionnaires::QuestionnaireStore for $ty {
            async fn questionnaire(
                &self,
                account: domain::account::AccountId,
                id: domain::questionnaire::QuestionnaireId,
            ) -> Result<Option<domain::questionnaire::Questionnaire>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::questionnaires::BY_ID,
                    [account.0, id.0],
                    $crate::questionnaires::QuestionnaireRow::into_questionnaire
                )
            }

            async fn latest_questionnaire(
                &self,
                account: domain::account::AccountId,
                instrument: domain::questionnaire::Instrument,
                until: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<domain::questionnaire::Questionnaire>, $crate::StoreError> {
                optional_row!(
                    self,
                    $crate::questionnaires::LATEST,
                    [account.0, instrument.code(), $crate::rows::ms(until)],
                    $crate::questionnaires::QuestionnaireRow::into_questionnaire
                )
            }

            async fn insert_questionnaire(
                &self,
                account: domain::account::AccountId,
                q: &domain::questionnaire::NewQuestionnaire,
            ) -> Result<(domain::questionnaire::Questionnaire, $crate::Written), $crate::StoreError>
            {
                let mut tx = self.writer().begin().await?;
                let (row, written): ($crate::questionnaires::QuestionnaireRow, _) =
                    insert_or_existing!(
                        &mut *tx, account, q.client_id,
                        into "questionnaires" (questionnaire_columns!())
                        questionnaire_values!(),
                        |query| query
                            .bind(account.0)
                            .bind(q.client_id.to_string())
                            .bind(q.answers.instrument().code())
                            .bind($crate::rows::ms(q.at))
                            .bind($crate::questionnaires::answers_json(&q.answers))
                            .bind(q.difficulty.map(|d| d.code()))
                            .bind($crate::rows::ms(chrono::Utc::now()))
                    );
                if written == $crate::Written::Created {
                    // Guidance sees the new scores in the same transaction.
                    $crate::summaries::reassess_postgres(
                        &mut tx,
                        account,
                        &$crate::summaries::HistoryChange::Questionnaire(q.record()),
                        chrono::Utc::now(),
                        self.alert_mail().as_deref(),
                    )
                    .await?;
                }
                tx.commit().await?;
                Ok((row.into_questionnaire()?, written))
            }

            async fn questionnaires(
                &self,
                account: domain::account::AccountId,
                instrument: Option<domain::questionnaire::Instrument>,
                from: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::questionnaire::Questionnaire>, $crate::StoreError> {
                all_rows!(self, $crate::questionnaires::SINCE, [account.0, $crate::rows::ms_from(from), instrument.map(|i| i.code()).unwrap_or("")], $crate::questionnaires::QuestionnaireRow::into_questionnaire)
            }
        }
    };
}
