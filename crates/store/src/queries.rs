//! The SQL both backends share. It is written once, in the placeholder style (`$1`) that
//! SQLite and PostgreSQL both accept, and stamped onto each backend by `impl_store!`; a
//! backend with its own needs would implement that method by hand instead.

macro_rules! account_columns {
    () => {
        "a.id, a.email, a.role, a.country, a.timezone, a.usual_mood, a.always_ask_safety, \
         a.therapist_name, a.therapist_phone, a.therapist_email"
    };
}

macro_rules! checkin_columns {
    () => {
        "id, account_id, client_id, at_ms, mood, anxiety, energy, body, usual_activities, \
         missed_usual_activities, harder_today, sleep_hours, substances, self_harm_thoughts, \
         note, created_ms"
    };
}

macro_rules! impl_store {
    ($ty:ty, $name:literal, $db:ty) => {
        #[async_trait::async_trait]
        impl $crate::Store for $ty {
            fn backend(&self) -> &'static str {
                $name
            }

            async fn close(&self) -> Result<(), $crate::StoreError> {
                self.close_pools().await
            }

            async fn account_count(&self) -> Result<i64, $crate::StoreError> {
                let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM accounts")
                    .fetch_one(self.reader())
                    .await?;
                Ok(n)
            }

            async fn create_account(
                &self,
                new: &$crate::NewAccount,
            ) -> Result<domain::account::Account, $crate::StoreError> {
                let now = $crate::rows::ms(chrono::Utc::now());
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO accounts (email, password_hash, role, country, timezone, \
                     usual_mood, therapist_name, therapist_phone, therapist_email, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
                )
                .bind(new.email.as_str())
                .bind(&new.password_hash)
                .bind(new.role.as_str())
                .bind(&new.country)
                .bind(&new.timezone)
                .bind(new.usual_mood.map(|r| i64::from(r.get())))
                .bind(&new.therapist.name)
                .bind(&new.therapist.phone)
                .bind(&new.therapist.email)
                .bind(now)
                .fetch_all(self.writer())
                .await
                .and_then($crate::rows::only_row)
                .map_err(|e| $crate::StoreError::from_unique(e, "that email address"))?;
                self.account_in(self.writer(), domain::account::AccountId(id))
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("new account vanished".into()))
            }

            async fn account_for_sign_in(
                &self,
                email: &domain::account::Email,
            ) -> Result<Option<(domain::account::Account, String)>, $crate::StoreError> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    account: $crate::rows::AccountRow,
                    password_hash: String,
                }
                let row: Option<Row> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    ", a.password_hash FROM accounts a WHERE a.email = $1"
                ))
                .bind(email.as_str())
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| Ok((r.account.into_account()?, r.password_hash)))
                    .transpose()
            }

            async fn account(
                &self,
                id: domain::account::AccountId,
            ) -> Result<Option<domain::account::Account>, $crate::StoreError> {
                self.account_in(self.reader(), id).await
            }

            async fn update_profile(
                &self,
                id: domain::account::AccountId,
                p: &$crate::Profile,
            ) -> Result<domain::account::Account, $crate::StoreError> {
                sqlx::query(
                    "UPDATE accounts SET country = $1, timezone = $2, usual_mood = $3, \
                     always_ask_safety = $4, therapist_name = $5, therapist_phone = $6, \
                     therapist_email = $7 WHERE id = $8",
                )
                .bind(&p.country)
                .bind(&p.timezone)
                .bind(p.usual_mood.map(|r| i64::from(r.get())))
                .bind(p.always_ask_safety)
                .bind(&p.therapist.name)
                .bind(&p.therapist.phone)
                .bind(&p.therapist.email)
                .bind(id.0)
                .execute(self.writer())
                .await?;
                self.account_in(self.writer(), id)
                    .await?
                    .ok_or_else(|| $crate::StoreError::Corrupt("account vanished".into()))
            }

            async fn create_session(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                csrf_token: &str,
                expires_at: chrono::DateTime<chrono::Utc>,
            ) -> Result<(), $crate::StoreError> {
                let now = chrono::Utc::now();
                let mut tx = self.writer().begin().await?;
                // Sweep this account's expired sessions while we are writing anyway.
                sqlx::query("DELETE FROM auth_sessions WHERE account_id = $1 AND expires_ms <= $2")
                    .bind(account.0)
                    .bind($crate::rows::ms(now))
                    .execute(&mut *tx)
                    .await?;
                sqlx::query(
                    "INSERT INTO auth_sessions (token_hash, account_id, csrf_token, created_ms, \
                     expires_ms) VALUES ($1, $2, $3, $4, $5)",
                )
                .bind(token_hash)
                .bind(account.0)
                .bind(csrf_token)
                .bind($crate::rows::ms(now))
                .bind($crate::rows::ms(expires_at))
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn session(
                &self,
                token_hash: &str,
                now: chrono::DateTime<chrono::Utc>,
            ) -> Result<Option<$crate::AuthSession>, $crate::StoreError> {
                #[derive(sqlx::FromRow)]
                struct Row {
                    #[sqlx(flatten)]
                    account: $crate::rows::AccountRow,
                    csrf_token: String,
                    expires_ms: i64,
                }
                let row: Option<Row> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    ", s.csrf_token, s.expires_ms FROM auth_sessions s \
                     JOIN accounts a ON a.id = s.account_id \
                     WHERE s.token_hash = $1 AND s.expires_ms > $2"
                ))
                .bind(token_hash)
                .bind($crate::rows::ms(now))
                .fetch_optional(self.reader())
                .await?;
                row.map(|r| {
                    Ok($crate::AuthSession {
                        account: r.account.into_account()?,
                        csrf_token: r.csrf_token,
                        expires_at: $crate::rows::from_ms(r.expires_ms)?,
                    })
                })
                .transpose()
            }

            async fn delete_session(&self, token_hash: &str) -> Result<(), $crate::StoreError> {
                sqlx::query("DELETE FROM auth_sessions WHERE token_hash = $1")
                    .bind(token_hash)
                    .execute(self.writer())
                    .await?;
                Ok(())
            }

            async fn create_api_token(
                &self,
                account: domain::account::AccountId,
                token_hash: &str,
                label: &str,
            ) -> Result<(), $crate::StoreError> {
                sqlx::query(
                    "INSERT INTO api_tokens (token_hash, account_id, label, created_ms) \
                     VALUES ($1, $2, $3, $4)",
                )
                .bind(token_hash)
                .bind(account.0)
                .bind(label)
                .bind($crate::rows::ms(chrono::Utc::now()))
                .execute(self.writer())
                .await?;
                Ok(())
            }

            async fn account_for_api_token(
                &self,
                token_hash: &str,
            ) -> Result<Option<domain::account::Account>, $crate::StoreError> {
                let row: Option<$crate::rows::AccountRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM api_tokens t JOIN accounts a ON a.id = t.account_id \
                     WHERE t.token_hash = $1"
                ))
                .bind(token_hash)
                .fetch_optional(self.reader())
                .await?;
                row.map($crate::rows::AccountRow::into_account).transpose()
            }

            async fn insert_checkin(
                &self,
                account: domain::account::AccountId,
                c: &domain::checkin::NewCheckIn,
            ) -> Result<(domain::checkin::CheckIn, $crate::Written), $crate::StoreError> {
                let inserted: Option<$crate::rows::CheckInRow> = sqlx::query_as(concat!(
                    "INSERT INTO checkins (account_id, client_id, at_ms, mood, anxiety, energy, \
                     body, usual_activities, missed_usual_activities, harder_today, sleep_hours, \
                     substances, self_harm_thoughts, note, created_ms) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
                     ON CONFLICT (account_id, client_id) DO NOTHING RETURNING ",
                    checkin_columns!()
                ))
                .bind(account.0)
                .bind(c.client_id.to_string())
                .bind($crate::rows::ms(c.at))
                .bind(i64::from(c.mood.get()))
                .bind(c.anxiety.map(|r| i64::from(r.get())))
                .bind(c.energy.map(|r| i64::from(r.get())))
                .bind($crate::rows::body_json(c))
                .bind(c.usual_activities.map(|u| u.code()))
                .bind(c.missed_usual_activities)
                .bind($crate::rows::tags_json(c))
                .bind(c.sleep_hours)
                .bind(&c.substances)
                .bind(c.self_harm_thoughts)
                .bind(&c.note)
                .bind($crate::rows::ms(chrono::Utc::now()))
                .fetch_all(self.writer())
                .await
                .map($crate::rows::first_row)?;
                if let Some(row) = inserted {
                    return Ok((row.into_checkin()?, $crate::Written::Created));
                }
                let existing: $crate::rows::CheckInRow = sqlx::query_as(concat!(
                    "SELECT ",
                    checkin_columns!(),
                    " FROM checkins WHERE account_id = $1 AND client_id = $2"
                ))
                .bind(account.0)
                .bind(c.client_id.to_string())
                .fetch_one(self.writer())
                .await?;
                Ok((existing.into_checkin()?, $crate::Written::Existing))
            }

            async fn checkins(
                &self,
                account: domain::account::AccountId,
                from: Option<chrono::DateTime<chrono::Utc>>,
                to: Option<chrono::DateTime<chrono::Utc>>,
            ) -> Result<Vec<domain::checkin::CheckIn>, $crate::StoreError> {
                let rows: Vec<$crate::rows::CheckInRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    checkin_columns!(),
                    " FROM checkins WHERE account_id = $1 AND at_ms >= $2 AND at_ms < $3 \
                     ORDER BY at_ms, id"
                ))
                .bind(account.0)
                .bind(from.map($crate::rows::ms).unwrap_or(i64::MIN))
                .bind(to.map($crate::rows::ms).unwrap_or(i64::MAX))
                .fetch_all(self.reader())
                .await?;
                rows.into_iter()
                    .map($crate::rows::CheckInRow::into_checkin)
                    .collect()
            }
        }

        impl $ty {
            async fn account_in(
                &self,
                executor: &sqlx::Pool<$db>,
                id: domain::account::AccountId,
            ) -> Result<Option<domain::account::Account>, $crate::StoreError> {
                let row: Option<$crate::rows::AccountRow> = sqlx::query_as(concat!(
                    "SELECT ",
                    account_columns!(),
                    " FROM accounts a WHERE a.id = $1"
                ))
                .bind(id.0)
                .fetch_optional(executor)
                .await?;
                row.map($crate::rows::AccountRow::into_account).transpose()
            }
        }
    };
}
