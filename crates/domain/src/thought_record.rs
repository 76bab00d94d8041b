//! The thought record ("Untangle a thought"): what happened, what was felt and how strongly,
//! the thought that hurt most, what supports it and what doesn't, the thinking traps it may
//! fall into, a more balanced thought, and the same feelings rated again.
//!
//! Every part may be left empty, and a record the person has not finished is a draft. A
//! finished record whose feelings were rated before and after counts as one use of the
//! `thought-record` tool, its distress before and after worked out here
//! ([`RecordContent::distress`]), so "what works for me" can weigh it like any other tool.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::checkin::FieldError;
use crate::coping::CopingUseId;
use crate::rating::Rating;

/// Longest text of one part: several pages of writing, as a journal entry.
pub const MAX_TEXT_CHARS: usize = crate::journal::MAX_ENTRY_CHARS;
/// Most feelings on one record.
pub const MAX_FEELINGS: usize = 10;
/// Longest name of a feeling.
pub const MAX_FEELING_NAME_CHARS: usize = 80;
/// The strongest a feeling can be rated.
pub const MAX_INTENSITY: i64 = 100;
/// Records on one page of the list.
pub const PAGE_SIZE: usize = 20;

/// Feelings offered to pick from, so nobody has to find the word on a hard day.
pub const COMMON_FEELINGS: &[&str] = &[
    "Anxious",
    "Sad",
    "Angry",
    "Ashamed",
    "Guilty",
    "Hurt",
    "Lonely",
    "Scared",
    "Frustrated",
    "Hopeless",
];

/// Whether a record is finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Kept to carry on later; it counts for nothing yet.
    Draft,
    /// Saved as finished.
    Done,
}

impl Status {
    /// Stable code, as stored and in the API.
    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Done => "done",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Status> {
        match s.trim() {
            "draft" => Some(Status::Draft),
            "done" => Some(Status::Done),
            _ => None,
        }
    }
}

/// A common thinking trap: a way a thought can bend what happened out of shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Trap {
    /// Seeing only the two extremes.
    AllOrNothing,
    /// Jumping to the worst outcome.
    Catastrophising,
    /// Being sure what others think.
    MindReading,
    /// Being sure how things will turn out.
    FortuneTelling,
    /// Rules about how things must be.
    ShouldStatements,
    /// One moment becoming who someone is.
    Labelling,
    /// Good things not counting.
    DiscountingThePositive,
    /// A feeling taken as proof.
    EmotionalReasoning,
    /// Taking the blame for what isn't only yours.
    Personalising,
}

impl Trap {
    /// Every trap, in the order the form shows them.
    pub const ALL: [Trap; 9] = [
        Trap::AllOrNothing,
        Trap::Catastrophising,
        Trap::MindReading,
        Trap::FortuneTelling,
        Trap::ShouldStatements,
        Trap::Labelling,
        Trap::DiscountingThePositive,
        Trap::EmotionalReasoning,
        Trap::Personalising,
    ];

    /// Stable code, as stored and in the API.
    pub fn code(self) -> &'static str {
        match self {
            Trap::AllOrNothing => "all_or_nothing",
            Trap::Catastrophising => "catastrophising",
            Trap::MindReading => "mind_reading",
            Trap::FortuneTelling => "fortune_telling",
            Trap::ShouldStatements => "should_statements",
            Trap::Labelling => "labelling",
            Trap::DiscountingThePositive => "discounting_the_positive",
            Trap::EmotionalReasoning => "emotional_reasoning",
            Trap::Personalising => "personalising",
        }
    }

    /// Parses a code.
    pub fn parse(s: &str) -> Option<Trap> {
        Trap::ALL.into_iter().find(|t| t.code() == s.trim())
    }

    /// Its name, as people say it.
    pub fn name(self) -> &'static str {
        match self {
            Trap::AllOrNothing => "All-or-nothing",
            Trap::Catastrophising => "Catastrophising",
            Trap::MindReading => "Mind reading",
            Trap::FortuneTelling => "Fortune telling",
            Trap::ShouldStatements => "Should statements",
            Trap::Labelling => "Labelling",
            Trap::DiscountingThePositive => "Discounting the positive",
            Trap::EmotionalReasoning => "Emotional reasoning",
            Trap::Personalising => "Personalising",
        }
    }

    /// What it is, in a sentence or two.
    pub fn explanation(self) -> &'static str {
        match self {
            Trap::AllOrNothing => {
                "Seeing things as perfect or ruined, with nothing in between. Real life is \
                 mostly in between."
            }
            Trap::Catastrophising => {
                "Jumping to the worst thing that could happen and treating it as if it \
                 will."
            }
            Trap::MindReading => {
                "Feeling sure you know what someone else thinks of you, without them \
                 saying it."
            }
            Trap::FortuneTelling => {
                "Feeling sure how something will turn out, usually badly, before it has \
                 happened."
            }
            Trap::ShouldStatements => {
                "Strict rules about how you or others must be. When they're broken, they \
                 bring guilt or anger."
            }
            Trap::Labelling => {
                "Turning one moment into a word for the whole person, yourself or someone \
                 else."
            }
            Trap::DiscountingThePositive => {
                "Letting the good things not count: they were luck, or anyone could have \
                 done them."
            }
            Trap::EmotionalReasoning => {
                "Taking a feeling as proof: because it feels true, it must be true."
            }
            Trap::Personalising => {
                "Taking the blame for something that had many causes, most of them not \
                 you."
            }
        }
    }

    /// A short example of the trap.
    pub fn example(self) -> &'static str {
        match self {
            Trap::AllOrNothing => "\"I got one answer wrong, so the whole test is a failure.\"",
            Trap::Catastrophising => "\"My head hurts, so something must be seriously wrong.\"",
            Trap::MindReading => "\"She didn't smile at me, so she must be annoyed with me.\"",
            Trap::FortuneTelling => "\"If I go to the party, nobody will talk to me.\"",
            Trap::ShouldStatements => "\"I should be over this by now.\"",
            Trap::Labelling => "\"I forgot her birthday. I'm a terrible friend.\"",
            Trap::DiscountingThePositive => "\"They only said it went well to be nice.\"",
            Trap::EmotionalReasoning => "\"I feel stupid, so I must be stupid.\"",
            Trap::Personalising => "\"My friends argued at dinner. I should have stopped it.\"",
        }
    }
}

/// A feeling as posted, before it is checked. Numbers are wide so that a wrong value can be
/// named in the error instead of failing to parse.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeelingInput {
    /// The feeling, in a word or a few.
    pub name: Option<String>,
    /// How strong it was, 0–100. Required.
    pub before: Option<i64>,
    /// How strong it is after the record, 0–100.
    pub after: Option<i64>,
}

/// A checked feeling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feeling {
    /// The feeling.
    pub name: String,
    /// How strong it was, 0–100.
    pub before: u8,
    /// How strong it is after the record, 0–100, when rated again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub after: Option<u8>,
}

impl From<&Feeling> for FeelingInput {
    fn from(f: &Feeling) -> FeelingInput {
        FeelingInput {
            name: Some(f.name.clone()),
            before: Some(i64::from(f.before)),
            after: f.after.map(i64::from),
        }
    }
}

/// A thought record as posted, before it is checked.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThoughtRecordInput {
    /// Client-generated id; a retry never duplicates.
    pub client_id: Option<Uuid>,
    /// What happened.
    pub situation: Option<String>,
    /// The feelings and how strong they were.
    pub feelings: Option<Vec<FeelingInput>>,
    /// The thought that hurt most.
    pub thought: Option<String>,
    /// What supports the thought.
    pub evidence_for: Option<String>,
    /// What doesn't support it.
    pub evidence_against: Option<String>,
    /// Codes of the thinking traps it may fall into.
    pub traps: Option<Vec<String>>,
    /// A more balanced thought.
    pub balanced: Option<String>,
    /// Put it on the agenda for the next session.
    pub bring_to_session: Option<bool>,
    /// `"draft"` or `"done"` (the default).
    pub status: Option<String>,
}

/// What a record says: every part checked, any of them possibly empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct RecordContent {
    /// What happened.
    pub situation: String,
    /// The feelings, in the order given.
    pub feelings: Vec<Feeling>,
    /// The thought that hurt most.
    pub thought: String,
    /// What supports it.
    pub evidence_for: String,
    /// What doesn't.
    pub evidence_against: String,
    /// Thinking traps it may fall into, in [`Trap::ALL`] order, each once.
    pub traps: Vec<Trap>,
    /// A more balanced thought.
    pub balanced: String,
}

/// A checked record, ready to store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewThoughtRecord {
    /// Client-generated id.
    pub client_id: Uuid,
    /// Finished or a draft.
    pub status: Status,
    /// What it says.
    pub content: RecordContent,
    /// On the agenda for the next session.
    pub bring_to_session: bool,
}

crate::id::id_type! {
    /// The server id of a thought record.
    ThoughtRecordId
}

/// A stored record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ThoughtRecord {
    /// Server id.
    pub id: ThoughtRecordId,
    /// Client-generated id.
    pub client_id: Uuid,
    /// Finished or a draft.
    pub status: Status,
    /// What it says.
    #[serde(flatten)]
    pub content: RecordContent,
    /// On the agenda (an open agenda topic points at it).
    pub bring_to_session: bool,
    /// The use of the tool it counts as, when finished with feelings rated before and after.
    pub coping_use_id: Option<CopingUseId>,
    /// When it was started.
    pub created_at: DateTime<Utc>,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

/// How much the feelings rated twice eased: their mean before and after, 0–100.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IntensityChange {
    /// How many feelings were rated both times.
    pub feelings: usize,
    /// The sum of their first ratings.
    pub before_sum: u32,
    /// The sum of their second ratings.
    pub after_sum: u32,
}

/// `sum / n`, rounded half up (sums are never negative).
fn mean_rounded(sum: u32, n: u32) -> u32 {
    (2 * sum + n) / (2 * n)
}

impl IntensityChange {
    /// The mean first rating, rounded half up to a whole number.
    pub fn before(&self) -> u32 {
        mean_rounded(self.before_sum, self.count())
    }

    /// The mean second rating, rounded half up.
    pub fn after(&self) -> u32 {
        mean_rounded(self.after_sum, self.count())
    }

    /// The drop in mean intensity, rounded to a whole number (negative when it rose).
    pub fn drop(&self) -> i64 {
        i64::from(self.before()) - i64::from(self.after())
    }

    fn count(&self) -> u32 {
        u32::try_from(self.feelings.max(1)).unwrap_or(u32::MAX)
    }

    /// A 0–100 mean on the toolkit's 0–10 distress scale: the mean ÷ 10, rounded half up.
    /// Worked from the sums so nothing is rounded twice: `sum / (10 n)`, half up.
    fn as_distress(sum: u32, n: u32) -> Rating {
        let tenth = mean_rounded(sum, 10 * n).min(10);
        Rating::new(i64::from(tenth)).unwrap_or(Rating::MAX)
    }

    /// The distress before and after, 0–10, that the use of the tool records.
    pub fn distress(&self) -> (Rating, Rating) {
        let n = self.count();
        (
            Self::as_distress(self.before_sum, n),
            Self::as_distress(self.after_sum, n),
        )
    }
}

impl RecordContent {
    /// Whether nothing at all was written, picked or rated.
    pub fn is_empty(&self) -> bool {
        self.situation.is_empty()
            && self.feelings.is_empty()
            && self.thought.is_empty()
            && self.evidence_for.is_empty()
            && self.evidence_against.is_empty()
            && self.traps.is_empty()
            && self.balanced.is_empty()
    }

    /// The change over the feelings rated both before and after; `None` when none was
    /// rated again.
    pub fn intensity_change(&self) -> Option<IntensityChange> {
        let rated: Vec<(u8, u8)> = self
            .feelings
            .iter()
            .filter_map(|f| Some((f.before, f.after?)))
            .collect();
        if rated.is_empty() {
            return None;
        }
        Some(IntensityChange {
            feelings: rated.len(),
            before_sum: rated.iter().map(|(b, _)| u32::from(*b)).sum(),
            after_sum: rated.iter().map(|(_, a)| u32::from(*a)).sum(),
        })
    }

    /// The distress before and after (0–10) of the use this record counts as: the mean of
    /// the feelings rated both times, ÷ 10, rounded half up. `None` when none was rated
    /// again.
    pub fn distress(&self) -> Option<(Rating, Rating)> {
        self.intensity_change().map(|c| c.distress())
    }

    /// What the record is called in a list and on the agenda: the thought, else the first
    /// line of what happened, else the first feeling; shortened to fit an agenda topic.
    pub fn title(&self) -> String {
        for text in [&self.thought, &self.situation, &self.balanced] {
            let t = crate::journal::topic(text);
            if !t.is_empty() {
                return t;
            }
        }
        match self.feelings.first() {
            Some(f) => format!("Feeling {}", f.name.to_lowercase()),
            None => "A thought record".to_string(),
        }
    }

    /// Every word of the record, for a search to match.
    pub fn words(&self) -> String {
        let mut all = vec![
            self.situation.as_str(),
            self.thought.as_str(),
            self.evidence_for.as_str(),
            self.evidence_against.as_str(),
            self.balanced.as_str(),
        ];
        all.extend(self.feelings.iter().map(|f| f.name.as_str()));
        all.extend(self.traps.iter().map(|t| t.name()));
        all.join("\n")
    }
}

/// Checks one part's text: control characters refused, trimmed, not too long; empty is fine.
fn check_text(field: &'static str, raw: Option<&str>, errors: &mut Vec<FieldError>) -> String {
    let Some(raw) = raw else {
        return String::new();
    };
    match crate::text::clean(field, raw) {
        Ok(t) => {
            let t = t.trim();
            if t.chars().count() > MAX_TEXT_CHARS {
                errors.push(FieldError::new(
                    field,
                    format!("Please keep this under {MAX_TEXT_CHARS} characters."),
                ));
            }
            t.to_string()
        }
        Err(e) => {
            errors.push(e);
            String::new()
        }
    }
}

/// A 0–100 intensity, or the error naming the feeling.
fn intensity(
    field: &'static str,
    name: &str,
    value: i64,
    errors: &mut Vec<FieldError>,
) -> Option<u8> {
    match u8::try_from(value)
        .ok()
        .filter(|v| i64::from(*v) <= MAX_INTENSITY)
    {
        Some(v) => Some(v),
        None => {
            errors.push(FieldError::new(
                field,
                format!("How strong \"{name}\" is goes from 0 to 100."),
            ));
            None
        }
    }
}

/// Checks the feelings: named, rated 0–100 (again, optionally), at most
/// [`MAX_FEELINGS`], no name twice.
pub fn check_feelings(inputs: &[FeelingInput], errors: &mut Vec<FieldError>) -> Vec<Feeling> {
    if inputs.len() > MAX_FEELINGS {
        errors.push(FieldError::new(
            "feelings",
            format!("Please pick at most {MAX_FEELINGS} feelings."),
        ));
        return Vec::new();
    }
    let mut out: Vec<Feeling> = Vec::with_capacity(inputs.len());
    for input in inputs {
        let name = match crate::text::clean("feelings", input.name.as_deref().unwrap_or("")) {
            Ok(n) => n.trim().to_string(),
            Err(e) => {
                errors.push(e);
                continue;
            }
        };
        if name.is_empty() {
            errors.push(FieldError::new(
                "feelings",
                "Each feeling needs a name, such as \"sad\".",
            ));
            continue;
        }
        if name.chars().count() > MAX_FEELING_NAME_CHARS || name.contains('\n') {
            errors.push(FieldError::new(
                "feelings",
                format!("Please name a feeling in a few words (under {MAX_FEELING_NAME_CHARS} characters, one line)."),
            ));
            continue;
        }
        if out
            .iter()
            .any(|f| f.name.to_lowercase() == name.to_lowercase())
        {
            errors.push(FieldError::new(
                "feelings",
                format!("\"{name}\" is there twice; please keep it once."),
            ));
            continue;
        }
        let before = match input.before {
            Some(v) => intensity("feelings", &name, v, errors),
            None => {
                errors.push(FieldError::new(
                    "feelings",
                    format!("How strong was \"{name}\", from 0 to 100?"),
                ));
                None
            }
        };
        let after = input
            .after
            .and_then(|v| intensity("after", &name, v, errors));
        if let Some(before) = before {
            out.push(Feeling {
                name,
                before,
                after,
            });
        }
    }
    out
}

/// Checks trap codes: each known, kept once, in [`Trap::ALL`] order.
pub fn check_traps(codes: &[String], errors: &mut Vec<FieldError>) -> Vec<Trap> {
    let mut picked = Vec::new();
    for code in codes {
        match Trap::parse(code) {
            Some(t) => picked.push(t),
            None => {
                errors.push(FieldError::new(
                    "traps",
                    "That is not one of the thinking traps; use codes such as mind_reading.",
                ));
                return Vec::new();
            }
        }
    }
    Trap::ALL
        .into_iter()
        .filter(|t| picked.contains(t))
        .collect()
}

/// Checks a status code; missing means finished.
fn check_status(raw: Option<&str>, errors: &mut Vec<FieldError>) -> Option<Status> {
    let raw = raw?;
    let status = Status::parse(raw);
    if status.is_none() {
        errors.push(FieldError::new(
            "status",
            "status is \"draft\" or \"done\".",
        ));
    }
    status
}

fn refuse_empty(content: &RecordContent, errors: &mut Vec<FieldError>) {
    if errors.is_empty() && content.is_empty() {
        errors.push(FieldError::new(
            "situation",
            "Please write at least one part before saving: any step will do.",
        ));
    }
}

impl ThoughtRecordInput {
    /// Checks every part and returns the record, or every problem found. Any part may be
    /// empty, but not all of them.
    pub fn validate(self) -> Result<NewThoughtRecord, Vec<FieldError>> {
        let mut errors = Vec::new();
        let status = check_status(self.status.as_deref(), &mut errors).unwrap_or(Status::Done);
        let content = RecordContent {
            situation: check_text("situation", self.situation.as_deref(), &mut errors),
            feelings: check_feelings(self.feelings.as_deref().unwrap_or(&[]), &mut errors),
            thought: check_text("thought", self.thought.as_deref(), &mut errors),
            evidence_for: check_text("evidence_for", self.evidence_for.as_deref(), &mut errors),
            evidence_against: check_text(
                "evidence_against",
                self.evidence_against.as_deref(),
                &mut errors,
            ),
            traps: check_traps(self.traps.as_deref().unwrap_or(&[]), &mut errors),
            balanced: check_text("balanced", self.balanced.as_deref(), &mut errors),
        };
        refuse_empty(&content, &mut errors);
        if errors.is_empty() {
            Ok(NewThoughtRecord {
                client_id: self.client_id.unwrap_or_else(Uuid::new_v4),
                status,
                content,
                bring_to_session: self.bring_to_session.unwrap_or(false),
            })
        } else {
            Err(errors)
        }
    }
}

impl NewThoughtRecord {
    /// Whether a retry under the same client id sends what was stored.
    pub fn same_submission(&self, stored: &ThoughtRecord) -> bool {
        self.status == stored.status
            && self.content == stored.content
            && self.bring_to_session == stored.bring_to_session
    }
}

/// A change to a record: each part left `None` stays as it is.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThoughtRecordEdit {
    /// What happened.
    pub situation: Option<String>,
    /// The feelings (the whole list).
    pub feelings: Option<Vec<FeelingInput>>,
    /// The thought that hurt most.
    pub thought: Option<String>,
    /// What supports it.
    pub evidence_for: Option<String>,
    /// What doesn't.
    pub evidence_against: Option<String>,
    /// The thinking traps (the whole list).
    pub traps: Option<Vec<String>>,
    /// A more balanced thought.
    pub balanced: Option<String>,
    /// On the agenda for the next session, or not.
    pub bring_to_session: Option<bool>,
    /// `"draft"` or `"done"`.
    pub status: Option<String>,
}

/// A checked change: the record's whole new content and status, and the agenda flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordChange {
    /// Finished or a draft.
    pub status: Status,
    /// What it says now.
    pub content: RecordContent,
    /// On the agenda or not; `None` leaves it.
    pub bring_to_session: Option<bool>,
}

impl ThoughtRecordEdit {
    /// Applies the change to the stored record and checks the result as a new one is
    /// checked: the parts left out stay as stored.
    pub fn apply(self, stored: &ThoughtRecord) -> Result<RecordChange, Vec<FieldError>> {
        let mut errors = Vec::new();
        let status = check_status(self.status.as_deref(), &mut errors).unwrap_or(stored.status);
        let old = &stored.content;
        let text =
            |field, new: Option<String>, old: &String, errors: &mut Vec<FieldError>| match new {
                Some(t) => check_text(field, Some(&t), errors),
                None => old.clone(),
            };
        let content = RecordContent {
            situation: text("situation", self.situation, &old.situation, &mut errors),
            feelings: match self.feelings {
                Some(f) => check_feelings(&f, &mut errors),
                None => old.feelings.clone(),
            },
            thought: text("thought", self.thought, &old.thought, &mut errors),
            evidence_for: text(
                "evidence_for",
                self.evidence_for,
                &old.evidence_for,
                &mut errors,
            ),
            evidence_against: text(
                "evidence_against",
                self.evidence_against,
                &old.evidence_against,
                &mut errors,
            ),
            traps: match self.traps {
                Some(t) => check_traps(&t, &mut errors),
                None => old.traps.clone(),
            },
            balanced: text("balanced", self.balanced, &old.balanced, &mut errors),
        };
        refuse_empty(&content, &mut errors);
        if errors.is_empty() {
            Ok(RecordChange {
                status,
                content,
                bring_to_session: self.bring_to_session,
            })
        } else {
            Err(errors)
        }
    }
}

/// Which records to list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum RecordFilter {
    /// Every record.
    #[default]
    All,
    /// Finished records only.
    Done,
    /// Drafts only.
    Drafts,
}

/// Where a page of records starts: just older than this record (by when it was started).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordCursor {
    /// The record's start, Unix milliseconds.
    pub created_ms: i64,
    /// Its id, which breaks ties.
    pub id: ThoughtRecordId,
}

impl RecordCursor {
    /// The cursor just after `record` in newest-first order.
    pub fn after(record: &ThoughtRecord) -> RecordCursor {
        RecordCursor {
            created_ms: record.created_at.timestamp_millis(),
            id: record.id,
        }
    }

    /// The cursor as a short query value, `MS-ID`: only numbers.
    pub fn to_param(self) -> String {
        format!("{}-{}", self.created_ms, self.id)
    }

    /// Parses [`RecordCursor::to_param`]'s form.
    pub fn parse(s: &str) -> Option<RecordCursor> {
        let (at, id) = s.trim().rsplit_once('-')?;
        Some(RecordCursor {
            created_ms: at.parse().ok()?,
            id: id.parse().ok()?,
        })
    }
}

/// One page of records, newest first, and where the next (older) page starts.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordPage {
    /// The records.
    pub records: Vec<ThoughtRecord>,
    /// Where the next page starts, when there are older records.
    pub next: Option<RecordCursor>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn feeling(name: &str, before: i64, after: Option<i64>) -> FeelingInput {
        FeelingInput {
            name: Some(name.into()),
            before: Some(before),
            after,
        }
    }

    fn fields(errors: &[FieldError]) -> Vec<&'static str> {
        errors.iter().map(|e| e.field).collect()
    }

    fn record(feelings: Vec<FeelingInput>) -> RecordContent {
        ThoughtRecordInput {
            thought: Some("I always mess up".into()),
            feelings: Some(feelings),
            ..Default::default()
        }
        .validate()
        .unwrap()
        .content
    }

    #[test]
    fn a_short_record_is_checked_and_trimmed() {
        let r = ThoughtRecordInput {
            situation: Some("  At lunch, alone\r\n".into()),
            feelings: Some(vec![feeling("Sad", 70, Some(40))]),
            thought: Some("Nobody likes me".into()),
            traps: Some(vec!["personalising".into(), "mind_reading".into()]),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(r.status, Status::Done, "finished unless it says draft");
        assert_eq!(r.content.situation, "At lunch, alone");
        assert_eq!(r.content.evidence_for, "");
        // Traps come back in the catalogue's order, whatever order they were sent in.
        assert_eq!(
            r.content.traps,
            vec![Trap::MindReading, Trap::Personalising]
        );
        assert!(!r.bring_to_session);
    }

    #[test]
    fn every_part_may_be_empty_but_not_all_of_them() {
        let e = ThoughtRecordInput::default().validate().unwrap_err();
        assert_eq!(fields(&e), vec!["situation"]);
        let e = ThoughtRecordInput {
            situation: Some("   ".into()),
            status: Some("draft".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        assert_eq!(
            fields(&e),
            vec!["situation"],
            "a draft of nothing is nothing"
        );
        // One trap alone is something.
        let r = ThoughtRecordInput {
            traps: Some(vec!["labelling".into()]),
            status: Some("draft".into()),
            ..Default::default()
        }
        .validate()
        .unwrap();
        assert_eq!(r.status, Status::Draft);
    }

    #[test]
    fn feelings_are_named_rated_and_not_repeated() {
        let check = |f: Vec<FeelingInput>| {
            ThoughtRecordInput {
                feelings: Some(f),
                ..Default::default()
            }
            .validate()
        };
        assert!(check(vec![feeling("Sad", 0, Some(100))]).is_ok());
        for bad in [
            vec![feeling("Sad", 101, None)],
            vec![feeling("Sad", -1, None)],
            vec![feeling("", 50, None)],
            vec![FeelingInput {
                name: Some("Sad".into()),
                before: None,
                after: Some(10),
            }],
            vec![feeling("Sad", 50, None), feeling("sAD", 20, None)],
            vec![feeling(&"x".repeat(MAX_FEELING_NAME_CHARS + 1), 50, None)],
            vec![feeling("Sad\nand more", 50, None)],
            (0..=MAX_FEELINGS)
                .map(|i| feeling(&format!("f{i}"), 10, None))
                .collect(),
        ] {
            let e = check(bad.clone()).unwrap_err();
            assert_eq!(fields(&e), vec!["feelings"], "{bad:?}");
        }
        let e = check(vec![feeling("Sad", 50, Some(101))]).unwrap_err();
        assert_eq!(fields(&e), vec!["after"]);
        let many: Vec<FeelingInput> = (0..MAX_FEELINGS)
            .map(|i| feeling(&format!("f{i}"), 10, None))
            .collect();
        assert!(check(many).is_ok(), "exactly the most is fine");
    }

    #[test]
    fn unknown_traps_status_and_long_text_are_named() {
        let e = ThoughtRecordInput {
            thought: Some("x".repeat(MAX_TEXT_CHARS + 1)),
            traps: Some(vec!["overthinking".into()]),
            status: Some("finished".into()),
            balanced: Some("a\u{0}b".into()),
            ..Default::default()
        }
        .validate()
        .unwrap_err();
        let mut f = fields(&e);
        f.sort_unstable();
        assert_eq!(f, vec!["balanced", "status", "thought", "traps"]);
    }

    #[test]
    fn the_drop_is_the_mean_over_feelings_rated_twice() {
        let r = record(vec![
            feeling("Sad", 80, Some(40)),
            feeling("Anxious", 65, Some(50)),
            // Not rated again: left out of both means.
            feeling("Angry", 100, None),
        ]);
        let c = r.intensity_change().unwrap();
        assert_eq!(c.feelings, 2);
        // (80 + 65) / 2 = 72.5 → 73; (40 + 50) / 2 = 45.
        assert_eq!((c.before(), c.after(), c.drop()), (73, 45, 28));
        // 72.5 / 10 = 7.25 → 7; 45 / 10 = 4.5 → 5 (half up).
        let (before, after) = r.distress().unwrap();
        assert_eq!((before.get(), after.get()), (7, 5));
    }

    #[test]
    fn distress_rounds_half_up_at_the_edges() {
        let d = |b, a| {
            let (x, y) = record(vec![feeling("Sad", b, Some(a))]).distress().unwrap();
            (x.get(), y.get())
        };
        assert_eq!(d(100, 0), (10, 0));
        assert_eq!(d(95, 94), (10, 9));
        assert_eq!(d(5, 4), (1, 0));
        assert_eq!(d(15, 25), (2, 3));
        // The mean of 44 and 45 is 44.5: ÷ 10 is 4.45, which rounds to 4, not 5 (no double
        // rounding through 45).
        let r = record(vec![
            feeling("Sad", 44, Some(0)),
            feeling("Hurt", 45, Some(0)),
        ]);
        assert_eq!(r.distress().unwrap().0.get(), 4);
    }

    #[test]
    fn no_feeling_rated_again_means_no_ratings() {
        let r = record(vec![feeling("Sad", 80, None), feeling("Hurt", 60, None)]);
        assert_eq!(r.intensity_change(), None);
        assert_eq!(r.distress(), None);
        assert_eq!(record(vec![]).distress(), None);
    }

    #[test]
    fn an_edit_keeps_what_it_leaves_out() {
        let stored = ThoughtRecord {
            id: ThoughtRecordId(1),
            client_id: Uuid::new_v4(),
            status: Status::Draft,
            content: record(vec![feeling("Sad", 80, None)]),
            bring_to_session: false,
            coping_use_id: None,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let change = ThoughtRecordEdit {
            balanced: Some("Sometimes I get things right".into()),
            status: Some("done".into()),
            ..Default::default()
        }
        .apply(&stored)
        .unwrap();
        assert_eq!(change.status, Status::Done);
        assert_eq!(change.content.thought, "I always mess up");
        assert_eq!(change.content.feelings, stored.content.feelings);
        assert_eq!(change.content.balanced, "Sometimes I get things right");
        assert_eq!(change.bring_to_session, None);
        // Emptying every part is refused, as for a new record.
        let e = ThoughtRecordEdit {
            thought: Some(String::new()),
            feelings: Some(vec![]),
            ..Default::default()
        }
        .apply(&stored)
        .unwrap_err();
        assert_eq!(fields(&e), vec!["situation"]);
    }

    #[test]
    fn the_title_falls_back_part_by_part() {
        let mut c = RecordContent::default();
        assert_eq!(c.title(), "A thought record");
        c.feelings.push(Feeling {
            name: "Lonely".into(),
            before: 50,
            after: None,
        });
        assert_eq!(c.title(), "Feeling lonely");
        c.situation = "At the bus stop\nin the rain".into();
        assert_eq!(c.title(), "At the bus stop");
        c.thought = "They think I'm boring".into();
        assert_eq!(c.title(), "They think I'm boring");
    }

    #[test]
    fn codes_round_trip_and_every_trap_is_explained() {
        for t in Trap::ALL {
            assert_eq!(Trap::parse(t.code()), Some(t));
            assert!(!t.explanation().is_empty() && !t.example().is_empty());
        }
        for s in [Status::Draft, Status::Done] {
            assert_eq!(Status::parse(s.code()), Some(s));
        }
        let c = RecordCursor {
            created_ms: 1_700_000_000_000,
            id: ThoughtRecordId(42),
        };
        assert_eq!(RecordCursor::parse(&c.to_param()), Some(c));
    }
}
