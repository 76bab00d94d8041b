//! Homework from the therapist: a task, how often to do it, an optional due date, and a log
//! of the times it was done. Progress is counted in the person's local days.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkin::FieldError;

/// Longest homework text.
pub const MAX_HOMEWORK_CHARS: usize = 1_000;
/// Longest note on a "done" log.
pub const MAX_LOG_NOTE_CHARS: usize = 2_000;
/// The window "this week" means in progress counts: today and the six days before.
pub const WEEK_DAYS: i64 = 7;

/// How often the task is meant to be done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// Once; doing it finishes it.
    Once,
    /// Every day.
    Daily,
    /// Once a week.
    Weekly,
    /// A few times a week.
    FewTimesAWeek,
}

impl Frequency {
    /// Every choice, in form order.
    pub const ALL: [Frequency; 4] = [
        Frequency::Once,
        Frequency::Daily,
        Frequency::FewTimesAWeek,
        Frequency::Weekly,
    ];

    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Frequency::Once => "once",
            Frequency::Daily => "daily",
            Frequency::Weekly => "weekly",
            Frequency::FewTimesAWeek => "few_times_a_week",
        }
    }

    /// Words shown to the person.
    pub fn label(self) -> &'static str {
        match self {
            Frequency::Once => "Once",
            Frequency::Daily => "Every day",
            Frequency::Weekly => "Once a week",
            Frequency::FewTimesAWeek => "A few times a week",
        }
    }

    /// Parses a code; empty means once.
    pub fn parse(s: &str) -> Option<Frequency> {
        match s.trim() {
            "" => Some(Frequency::Once),
            code => Self::ALL.into_iter().find(|f| f.code() == code),
        }
    }
}

/// Homework as typed or posted, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeworkInput {
    /// Client-generated id; a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// The task. Required. (`title` is accepted for it too.)
    #[serde(alias = "title")]
    pub text: Option<String>,
    /// Due date, `YYYY-MM-DD`.
    pub due_on: Option<String>,
    /// How often, as a [`Frequency`] code; defaults to once.
    pub frequency: Option<String>,
}

/// Checked homework, ready to store.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewHomework {
    /// Client-generated id.
    pub client_id: Uuid,
    /// The task.
    pub text: String,
    /// Due date in the person's calendar.
    pub due_on: Option<NaiveDate>,
    /// How often.
    pub frequency: Frequency,
}

fn check_task(text: &str, errors: &mut Vec<FieldError>) -> String {
    let text = match crate::text::clean("text", text) {
        Ok(t) => t,
        Err(e) => {
            errors.push(e);
            return String::new();
        }
    };
    let text = text.trim();
    if text.is_empty() {
        errors.push(FieldError::new("text", "Please write the task first."));
    } else if text.chars().count() > MAX_HOMEWORK_CHARS {
        errors.push(FieldError::new(
            "text",
            format!("Please keep the task under {MAX_HOMEWORK_CHARS} characters."),
        ));
    }
    text.to_string()
}

/// Parses an optional due date; empty means none. `today` is the person's local day.
fn check_due(raw: &str, today: NaiveDate, errors: &mut Vec<FieldError>) -> Option<NaiveDate> {
    match raw.trim() {
        "" => None,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => match crate::when::planned_day("due_on", d, today) {
                Ok(d) => Some(d),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            Err(_) => {
                errors.push(FieldError::new(
                    "due_on",
                    "Please give the date like 2026-12-01, or leave it empty.",
                ));
                None
            }
        },
    }
}

fn check_frequency(raw: &str, errors: &mut Vec<FieldError>) -> Frequency {
    Frequency::parse(raw).unwrap_or_else(|| {
        errors.push(FieldError::new(
            "frequency",
            "Please choose once, every day, a few times a week or once a week.",
        ));
        Frequency::Once
    })
}

impl HomeworkInput {
    /// Checks every field and returns the homework, or every problem found. `today` (the
    /// person's local day) bounds how far ahead the due date may be.
    pub fn validate(self, today: NaiveDate) -> Result<NewHomework, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = check_task(self.text.as_deref().unwrap_or(""), &mut errors);
        let due_on = check_due(self.due_on.as_deref().unwrap_or(""), today, &mut errors);
        let frequency = check_frequency(self.frequency.as_deref().unwrap_or(""), &mut errors);
        if errors.is_empty() {
            Ok(NewHomework {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                text,
                due_on,
                frequency,
            })
        } else {
            Err(errors)
        }
    }
}

impl NewHomework {
    /// Whether a retry under the same client id sends what was stored.
    pub fn same_submission(&self, stored: &Homework) -> bool {
        self.text == stored.text
            && self.due_on == stored.due_on
            && self.frequency == stored.frequency
    }
}

/// A change to homework: each field left `None` stays as it is. `due_on: Some("")` clears
/// the due date.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeworkEditInput {
    /// New task text.
    pub text: Option<String>,
    /// New due date, or empty to clear it.
    pub due_on: Option<String>,
    /// New frequency code.
    pub frequency: Option<String>,
    /// Finished with it (true) or back to doing it (false).
    pub finished: Option<bool>,
}

/// A checked change to homework.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HomeworkEdit {
    /// New task text.
    pub text: Option<String>,
    /// New due date: `Some(None)` clears it.
    pub due_on: Option<Option<NaiveDate>>,
    /// New frequency.
    pub frequency: Option<Frequency>,
    /// Finished with it, or not.
    pub finished: Option<bool>,
}

impl HomeworkEditInput {
    /// Checks the fields that change; `today` bounds a new due date as for new homework.
    pub fn validate(self, today: NaiveDate) -> Result<HomeworkEdit, Vec<FieldError>> {
        let mut errors = Vec::new();
        let text = self.text.map(|t| check_task(&t, &mut errors));
        let due_on = self.due_on.map(|d| check_due(&d, today, &mut errors));
        let frequency = self.frequency.map(|f| check_frequency(&f, &mut errors));
        if errors.is_empty() {
            Ok(HomeworkEdit {
                text,
                due_on,
                frequency,
                finished: self.finished,
            })
        } else {
            Err(errors)
        }
    }
}

crate::id::id_type! {
    /// The server id of a piece of homework.
    HomeworkId
}

/// Stored homework.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Homework {
    /// Server id.
    pub id: HomeworkId,
    /// Client-generated id.
    pub client_id: Uuid,
    /// The task.
    pub text: String,
    /// Due date in the person's calendar.
    pub due_on: Option<NaiveDate>,
    /// How often.
    pub frequency: Frequency,
    /// When it was added.
    pub created_at: DateTime<Utc>,
    /// When the person said they were finished with it.
    pub finished_at: Option<DateTime<Utc>>,
    /// The name of the therapist who assigned it through the app; `None` for homework the
    /// person added themselves.
    pub from_therapist: Option<String>,
}

/// "I did it" as typed or posted.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeworkLogInput {
    /// Client-generated id; a retry never logs twice.
    pub client_id: Option<Uuid>,
    /// When it was done; defaults to now.
    pub at: Option<DateTime<Utc>>,
    /// How it went.
    pub note: Option<String>,
}

/// A checked "I did it".
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NewHomeworkLog {
    /// Client-generated id.
    pub client_id: Uuid,
    /// When it was done.
    pub at: DateTime<Utc>,
    /// How it went.
    pub note: Option<String>,
}

impl HomeworkLogInput {
    /// Checks the time and the note.
    pub fn validate(self, now: DateTime<Utc>) -> Result<NewHomeworkLog, Vec<FieldError>> {
        let mut errors = Vec::new();
        let at = self.at.unwrap_or(now);
        if let Err(e) = crate::when::happened("at", at, now) {
            errors.push(e);
        }
        let note = crate::text::clean_opt("note", self.note)
            .map_err(|e| errors.push(e))
            .ok()
            .flatten()
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if note
            .as_ref()
            .is_some_and(|n| n.chars().count() > MAX_LOG_NOTE_CHARS)
        {
            errors.push(FieldError::new(
                "note",
                format!("Please keep the note under {MAX_LOG_NOTE_CHARS} characters."),
            ));
        }
        if errors.is_empty() {
            Ok(NewHomeworkLog {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                at,
                note,
            })
        } else {
            Err(errors)
        }
    }
}

impl NewHomeworkLog {
    /// Whether a retry under the same client id, for `homework_id`, sends what was stored;
    /// a time left out (`at_sent` is `None`) was filled with "now" and is not compared.
    pub fn same_submission(
        &self,
        homework_id: HomeworkId,
        stored: &HomeworkLog,
        at_sent: Option<DateTime<Utc>>,
    ) -> bool {
        homework_id == stored.homework_id
            && crate::when::same_sent_instant(at_sent, stored.at)
            && self.note == stored.note
    }
}

crate::id::id_type! {
    /// The server id of one entry in a homework's log.
    HomeworkLogId
}

/// One time the homework was done.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HomeworkLog {
    /// Server id.
    pub id: HomeworkLogId,
    /// The homework it belongs to.
    pub homework_id: HomeworkId,
    /// Client-generated id.
    pub client_id: Uuid,
    /// When it was done.
    pub at: DateTime<Utc>,
    /// How it went.
    pub note: Option<String>,
}

/// How the homework is going, counted in local days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Times done in all.
    pub total: usize,
    /// Times done in the last seven days, today included.
    pub this_week: usize,
    /// Different days it was done on in the last seven days.
    pub days_this_week: usize,
    /// Done at least once today.
    pub done_today: bool,
    /// The latest day it was done.
    pub last_done: Option<NaiveDate>,
    /// Past its due date and not done (or not finished).
    pub overdue: bool,
    /// Local days it has been on the list, today included (1 on the day it was added), at
    /// most a week: progress only counts days the person had it.
    pub days_listed: i64,
}

impl Progress {
    /// Counts `done_days` (the local day of each log, any order) for `homework`, added on
    /// the local day `added_on`, as of `today`.
    pub fn of(
        homework: &Homework,
        added_on: NaiveDate,
        done_days: &[NaiveDate],
        today: NaiveDate,
    ) -> Progress {
        let week_start = today - Duration::days(WEEK_DAYS - 1);
        let in_week: Vec<NaiveDate> = done_days
            .iter()
            .copied()
            .filter(|d| *d >= week_start && *d <= today)
            .collect();
        let mut distinct = in_week.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let last_done = done_days.iter().copied().max();
        let finished = homework.finished_at.is_some()
            || (homework.frequency == Frequency::Once && !done_days.is_empty());
        Progress {
            total: done_days.len(),
            this_week: in_week.len(),
            days_this_week: distinct.len(),
            done_today: done_days.contains(&today),
            last_done,
            overdue: !finished && homework.due_on.is_some_and(|due| due < today),
            days_listed: ((today - added_on).num_days() + 1).clamp(1, WEEK_DAYS),
        }
    }

    /// The progress in a short sentence, fitting the frequency. It counts only the days
    /// since the homework was added: "not done in the last 7 days" about something added a
    /// minute ago would scold the person for days they didn't have it.
    pub fn sentence(&self, frequency: Frequency) -> String {
        self.sentence_as(frequency, false)
    }

    /// [`Progress::sentence`] for the therapist who reads it: the same count, said about
    /// the client, with nothing that invites the reader to log it themselves.
    pub fn sentence_for_therapist(&self, frequency: Frequency) -> String {
        self.sentence_as(frequency, true)
    }

    fn sentence_as(&self, frequency: Frequency, therapist: bool) -> String {
        let added = if therapist {
            "since it was added"
        } else {
            "since you added it"
        };
        let times = |n: usize| match n {
            1 => "once".to_string(),
            2 => "twice".to_string(),
            n => format!("{n} times"),
        };
        let window = match self.days_listed {
            WEEK_DAYS => format!("the last {WEEK_DAYS} days"),
            1 => "today".to_string(),
            n => format!("the {n} days {added}"),
        };
        let new = self.days_listed < WEEK_DAYS;
        match frequency {
            Frequency::Once if self.total > 0 => "Done.".into(),
            _ if self.total == 0 && self.days_listed == 1 && therapist => {
                "Just added; not logged yet.".into()
            }
            _ if self.total == 0 && self.days_listed == 1 => {
                "Just added. Log it here each time you do it.".into()
            }
            Frequency::Once => "Not done yet.".into(),
            Frequency::Daily if self.days_listed == 1 => "Done on the day you added it.".into(),
            Frequency::Daily => format!("Done on {} of {window}.", self.days_this_week),
            Frequency::Weekly if self.this_week > 0 => "Done this week.".into(),
            Frequency::Weekly if new => "Not done yet; there's still time this week.".into(),
            Frequency::Weekly => "Not done yet this week.".into(),
            Frequency::FewTimesAWeek if self.this_week == 0 && new => {
                "Not done yet; there's still time this week.".into()
            }
            Frequency::FewTimesAWeek if self.this_week == 0 => {
                "Not done yet in the last 7 days.".into()
            }
            Frequency::FewTimesAWeek if self.days_listed == 1 => {
                format!("Done {} {added}.", times(self.this_week))
            }
            Frequency::FewTimesAWeek => {
                format!("Done {} in {window}.", times(self.this_week))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn hw(frequency: Frequency, due_on: Option<NaiveDate>) -> Homework {
        Homework {
            id: HomeworkId(1),
            client_id: Uuid::new_v4(),
            text: "breathing practice".into(),
            due_on,
            frequency,
            created_at: Utc::now(),
            finished_at: None,
            from_therapist: None,
        }
    }

    #[test]
    fn input_is_checked() {
        let ok = HomeworkInput {
            text: Some(" write two good things ".into()),
            due_on: Some("2026-12-01".into()),
            frequency: Some("few_times_a_week".into()),
            ..Default::default()
        }
        .validate(d("2026-11-20"))
        .unwrap();
        assert_eq!(ok.text, "write two good things");
        assert_eq!(ok.due_on, Some(d("2026-12-01")));
        assert_eq!(ok.frequency, Frequency::FewTimesAWeek);

        let bad = HomeworkInput {
            text: Some("".into()),
            due_on: Some("next week".into()),
            frequency: Some("hourly".into()),
            ..Default::default()
        }
        .validate(d("2026-11-20"))
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field).collect();
        assert_eq!(fields, ["text", "due_on", "frequency"]);
        assert_eq!(Frequency::parse(""), Some(Frequency::Once));
    }

    #[test]
    fn edits_can_clear_the_due_date() {
        let e = HomeworkEditInput {
            due_on: Some(" ".into()),
            finished: Some(true),
            ..Default::default()
        }
        .validate(d("2026-11-20"))
        .unwrap();
        assert_eq!(e.due_on, Some(None));
        assert_eq!(e.finished, Some(true));
        assert!(
            HomeworkEditInput {
                text: Some("".into()),
                ..Default::default()
            }
            .validate(d("2026-11-20"))
            .is_err()
        );
    }

    #[test]
    fn logs_bound_their_note_and_time() {
        let now = Utc::now();
        let ok = HomeworkLogInput {
            note: Some("  ".into()),
            ..Default::default()
        }
        .validate(now)
        .unwrap();
        assert_eq!(ok.note, None);
        let bad = HomeworkLogInput {
            at: Some(now + Duration::days(2)),
            note: Some("x".repeat(MAX_LOG_NOTE_CHARS + 1)),
            ..Default::default()
        }
        .validate(now)
        .unwrap_err();
        assert_eq!(bad.len(), 2);
    }

    #[test]
    fn progress_counts_the_last_seven_days() {
        let today = d("2026-11-20");
        let daily = hw(Frequency::Daily, None);
        let days = [
            d("2026-11-20"),
            d("2026-11-20"),
            d("2026-11-18"),
            d("2026-11-14"),
            d("2026-11-13"),
        ];
        let p = Progress::of(&daily, d("2026-11-01"), &days, today);
        assert_eq!(p.total, 5);
        assert_eq!(p.this_week, 4);
        assert_eq!(p.days_this_week, 3);
        assert!(p.done_today);
        assert_eq!(p.last_done, Some(today));
        assert_eq!(
            p.sentence(Frequency::Daily),
            "Done on 3 of the last 7 days."
        );
        assert_eq!(
            p.sentence(Frequency::FewTimesAWeek),
            "Done 4 times in the last 7 days."
        );
    }

    #[test]
    fn once_is_done_by_one_log_and_due_dates_can_pass() {
        let today = d("2026-11-20");
        let once = hw(Frequency::Once, Some(d("2026-11-19")));
        let before = Progress::of(&once, d("2026-11-01"), &[], today);
        assert!(before.overdue);
        assert_eq!(before.sentence(Frequency::Once), "Not done yet.");
        let after = Progress::of(&once, d("2026-11-01"), &[d("2026-11-20")], today);
        assert!(!after.overdue);
        assert_eq!(after.sentence(Frequency::Once), "Done.");
        let weekly = hw(Frequency::Weekly, None);
        assert_eq!(
            Progress::of(&weekly, d("2026-11-01"), &[d("2026-11-10")], today)
                .sentence(Frequency::Weekly),
            "Not done yet this week."
        );
    }

    #[test]
    fn new_homework_counts_only_the_days_since_it_was_added() {
        let today = d("2026-11-20");
        let sentence = |f: Frequency, added: &str, days: &[NaiveDate]| {
            Progress::of(&hw(f, None), d(added), days, today).sentence(f)
        };
        for f in Frequency::ALL {
            let just_added = sentence(f, "2026-11-20", &[]);
            assert_eq!(just_added, "Just added. Log it here each time you do it.");
        }
        for f in [Frequency::Weekly, Frequency::FewTimesAWeek] {
            let s = sentence(f, "2026-11-18", &[]);
            assert_eq!(s, "Not done yet; there's still time this week.");
        }
        assert_eq!(
            sentence(Frequency::Daily, "2026-11-18", &[today]),
            "Done on 1 of the 3 days since you added it."
        );
        assert_eq!(
            sentence(Frequency::FewTimesAWeek, "2026-11-20", &[today, today]),
            "Done twice since you added it."
        );
        assert_eq!(
            sentence(Frequency::FewTimesAWeek, "2026-11-01", &[]),
            "Not done yet in the last 7 days."
        );
    }
}
