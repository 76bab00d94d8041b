//! A person's whole account as one document, taken away or brought in, and their
//! check-ins as a spreadsheet.

use domain::checkin::CheckIn;
use domain::profile::{ProfileInput, TimezoneRule};
use serde_json::Value;
use store::{ExportDocument, ImportError, ImportSummary};

use crate::{Actor, App, AppError};

impl App {
    /// Every piece of the actor's data (see docs/export-format.md).
    pub async fn export_data(&self, actor: &Actor) -> Result<ExportDocument, AppError> {
        Ok(self.store.export_account(actor.account.id).await?)
    }

    /// Loads an export document into the actor's account, which must hold no data yet:
    /// all of it or nothing. The profile's values are checked as the settings page checks
    /// them; everything else is checked against the database's own rules.
    pub async fn import_data(
        &self,
        actor: &Actor,
        document: &Value,
    ) -> Result<ImportSummary, ImportError> {
        if let Some(profile) = document.get("profile").and_then(Value::as_object) {
            check_profile(profile)?;
        }
        if let Some(data) = document.get("data").and_then(Value::as_object) {
            check_rows(data)?;
        }
        self.store.import_account(actor.account.id, document).await
    }

    /// The actor's check-ins as CSV (RFC 4180): a header line, then one line per check-in,
    /// oldest first, times in the person's own time zone.
    pub async fn checkins_csv(&self, actor: &Actor) -> Result<String, AppError> {
        let checkins = self.store.checkins(actor.account.id, None, None).await?;
        let tz = actor.account.timezone;
        let mut out = String::new();
        line(&mut out, CSV_HEADER.iter().map(|h| (*h).to_string()));
        for c in &checkins {
            line(&mut out, csv_fields(c, tz).into_iter());
        }
        Ok(out)
    }
}

/// The profile's values as the settings form would send them, checked the same way, so an
/// imported profile never holds what the settings page would refuse. Only fields present
/// are checked: the database keeps the importing account's value for one left out.
fn check_profile(profile: &serde_json::Map<String, Value>) -> Result<(), ImportError> {
    let text = |key: &str| match profile.get(key) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let input = ProfileInput {
        country: text("country"),
        // An absent time zone is not checked here; the account keeps its own.
        timezone: match profile.get("timezone") {
            Some(Value::String(s)) => s.clone(),
            _ => "UTC".to_string(),
        },
        usual_mood: text("usual_mood"),
        therapist_name: text("therapist_name"),
        therapist_phone: text("therapist_phone"),
        therapist_email: text("therapist_email"),
        always_ask_safety: false,
    };
    match input.validate(TimezoneRule::Refuse) {
        Ok(_) => Ok(()),
        Err(errors) => {
            let first = errors.into_iter().next();
            Err(ImportError::Invalid {
                path: format!("profile.{}", first.as_ref().map_or("", |e| e.field)),
                message: first.map(|e| e.message).unwrap_or_default(),
            })
        }
    }
}

/// Checks the values the database keeps as plain text or JSON but Between reads as codes,
/// lists and dates, so an import never holds what its pages could not show. The database
/// checks types, references and its own rules after this.
fn check_rows(data: &serde_json::Map<String, Value>) -> Result<(), ImportError> {
    use domain::checkin::BodySignal;
    use domain::coping::catalogue::ToolId;
    use domain::questionnaire::{Answers, Instrument};
    use domain::therapy::{CameUp, Repeat};
    let bad = |path: String, message: &str| ImportError::Invalid {
        path,
        message: message.to_string(),
    };
    // A list of codes, each one `known`.
    let codes = |v: &Value, known: &dyn Fn(&str) -> bool| match v {
        Value::Null => true,
        Value::Array(items) => items.iter().all(|i| i.as_str().is_some_and(known)),
        _ => true,
    };
    for (table, rows) in data {
        let Some(rows) = rows.as_array() else {
            continue;
        };
        for (i, row) in rows.iter().enumerate() {
            let at = |field: &str| format!("data.{table}[{i}].{field}");
            let field = |name: &str| row.get(name).unwrap_or(&Value::Null);
            if let Some(id) = field("client_id").as_str()
                && uuid::Uuid::parse_str(id).is_err()
            {
                return Err(bad(at("client_id"), "must be a UUID"));
            }
            let questionnaire_wrong = || {
                let instrument = field("instrument").as_str().and_then(Instrument::parse);
                let answers: Option<Vec<u8>> = field("answers").as_array().and_then(|a| {
                    a.iter()
                        .map(|v| v.as_u64().and_then(|n| u8::try_from(n).ok()))
                        .collect()
                });
                // An unknown instrument is refused by the database's own rule.
                instrument.is_some_and(|instrument| {
                    answers.is_none_or(|a| Answers::new(instrument, &a).is_err())
                })
            };
            let text_of = |name: &str| field(name).as_str();
            let problem = match table.as_str() {
                "checkins" if !codes(field("body"), &|s| BodySignal::parse(s).is_some()) => {
                    Some(("body", "must list known body signals"))
                }
                "checkins" if !codes(field("harder_today"), &|_| true) => {
                    Some(("harder_today", "must be a list of text"))
                }
                "reflections" if !codes(field("came_up"), &|s| CameUp::parse(s).is_some()) => {
                    Some(("came_up", "must list known answers"))
                }
                "questionnaires" if questionnaire_wrong() => Some((
                    "answers",
                    "must be one answer from 0 to 3 for each question",
                )),
                "homework"
                    if text_of("due_on").is_some_and(|d| {
                        chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err()
                    }) =>
                {
                    Some(("due_on", "must be a day such as 2026-11-24"))
                }
                "coping_uses" if text_of("tool").is_some_and(|t| ToolId::parse(t).is_none()) => {
                    Some(("tool", "must be a tool of the toolkit"))
                }
                "therapy_sessions"
                    if text_of("repeats").is_some_and(|r| Repeat::parse(r).is_none()) =>
                {
                    Some(("repeats", "must be once, weekly or fortnightly"))
                }
                // Bedtime routine.
                "bedtime_routines" => bedtime_problem(row),
                _ => None,
            };
            if let Some((name, message)) = problem {
                return Err(bad(at(name), message));
            }
        }
    }
    Ok(())
}

/// What is wrong with an imported bedtime routine, if anything: its steps and time must be
/// what the routine's own form would keep, as they are.
fn bedtime_problem(row: &Value) -> Option<(&'static str, &'static str)> {
    const ITEMS: &str = "must be a list of 1 to 10 different steps of up to 120 characters";
    let items: Option<Vec<String>> = row
        .get("items")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|v| v.as_str().map(str::to_string)).collect());
    let Some(items) = items else {
        return Some(("items", ITEMS));
    };
    let input = domain::bedtime::RoutineInput {
        items: Some(items.clone()),
        target_time: row
            .get("target_time")
            .and_then(Value::as_str)
            .map(str::to_string),
    };
    match input.validate() {
        Ok(r) if r.items == items => None,
        Ok(_) => Some(("items", ITEMS)),
        Err(errors) if errors.iter().any(|e| e.field == "items") => Some(("items", ITEMS)),
        Err(_) => Some(("target_time", "must be a time of day such as 22:30")),
    }
}

/// The CSV's columns.
const CSV_HEADER: [&str; 14] = [
    "id",
    "at",
    "mood",
    "anxiety",
    "energy",
    "body",
    "usual_activities",
    "missed_usual_activities",
    "harder_today",
    "sleep_hours",
    "substances",
    "self_harm_thoughts",
    "note",
    "created_at",
];

fn csv_fields(c: &CheckIn, tz: domain::history::TimeZone) -> Vec<String> {
    let n = &c.content;
    let opt = |v: Option<String>| v.unwrap_or_default();
    let local = |t: chrono::DateTime<chrono::Utc>| {
        t.with_timezone(&tz.tz())
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    };
    vec![
        c.id.0.to_string(),
        local(n.at),
        n.mood.get().to_string(),
        opt(n.anxiety.map(|r| r.get().to_string())),
        opt(n.energy.map(|r| r.get().to_string())),
        n.body
            .iter()
            .map(|b| b.code())
            .collect::<Vec<_>>()
            .join(";"),
        opt(n.usual_activities.map(|u| u.code().to_string())),
        opt(n
            .missed_usual_activities
            .map(|b| if b { "yes" } else { "no" }.to_string())),
        n.harder_today.join(";"),
        opt(n.sleep_hours.map(|h| h.to_string())),
        opt(n.substances.clone()),
        opt(n.self_harm_thoughts.map(|a| a.code().to_string())),
        opt(n.note.clone()),
        local(c.created_at),
    ]
}

/// Appends one CSV record with CRLF, as RFC 4180 has it.
fn line(out: &mut String, fields: impl Iterator<Item = String>) {
    let quoted: Vec<String> = fields.map(|f| quote(&f)).collect();
    out.push_str(&quoted.join(","));
    out.push_str("\r\n");
}

/// A field quoted when it holds a comma, a quote or a line break (quotes doubled). A field
/// that starts like a formula is quoted too and led by an apostrophe, so a spreadsheet shows
/// a person's note instead of running it.
fn quote(field: &str) -> String {
    let formula = field.starts_with(['=', '+', '-', '@']) && field.parse::<f64>().is_err();
    let field = if formula {
        format!("'{field}")
    } else {
        field.to_string()
    };
    if formula || field.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field
    }
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn fields_are_quoted_as_rfc_4180_says() {
        assert_eq!(quote("plain"), "plain");
        assert_eq!(quote("a, b"), "\"a, b\"");
        assert_eq!(quote("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(quote("two\nlines"), "\"two\nlines\"");
        assert_eq!(quote("=SUM(A1)"), "\"'=SUM(A1)\"");
        assert_eq!(quote("-3"), "-3");
    }
}
