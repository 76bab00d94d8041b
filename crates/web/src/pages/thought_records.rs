//! "Untangle a thought": the thought record's pages under `/toolkit/thought-record`.
//!
//! - the tool's page: what it is, "Start a new one", drafts to carry on, and saved records
//!   newest first with a search (its words travel in a POST body, never in an address);
//! - one form for a new record or a change, a section per step: on a phone each step fills
//!   the screen and "Next", "Back" and "Skip" are links to the next section, so it works
//!   without JavaScript (thought-record.js, when it runs, shows one step at a time); on a
//!   wide screen the steps flow down one page;
//! - a record to read, with Edit, Delete (asked first) and "Bring to my next session".
//!
//! Feelings come from a list of common ones (a tick and a number) or the person's own words
//! (rows paired by position), so a record can be written in one submission without
//! JavaScript: the re-rate step has a row for every feeling that could have been picked, and
//! the stylesheet shows only the rows of those picked.

use app::AppError;
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use chrono::Utc;
use domain::checkin::FieldError;
use domain::thought_record::{
    COMMON_FEELINGS, FeelingInput, MAX_FEELING_NAME_CHARS, MAX_FEELINGS, MAX_TEXT_CHARS,
    RecordCursor, RecordFilter, RecordPage, Status, ThoughtRecord, ThoughtRecordEdit,
    ThoughtRecordId, ThoughtRecordInput, Trap,
};
use serde::Deserialize;
use uuid::Uuid;

use super::TokenForm;
use super::errors::{PageError, PageResult, changed, found, go};
use super::{message_for, render, shown_again};
use crate::AppState;
use crate::form::CheckedForm;
use crate::layout::Layout;
use crate::pages::history::local_time_phrase;
use crate::session::SignedIn;

/// The tool's page.
const HOME: &str = "/toolkit/thought-record";
/// Rows for feelings in the person's own words on a new record.
const OWN_ROWS: usize = 3;
/// How many steps the form has (sections `#step-1` to `#step-8`).
const STEPS: usize = 8;

/// A record in a list.
pub struct RecordView {
    id: ThoughtRecordId,
    when: String,
    title: String,
    balanced: String,
    change: Option<String>,
    bring: bool,
}

/// The change in the feelings rated twice, in words: "Your feelings eased from 73 to 45 on
/// average (2 feelings)".
pub fn change_phrase(r: &ThoughtRecord) -> Option<String> {
    let c = r.content.intensity_change()?;
    let feelings = if c.feelings == 1 {
        "1 feeling".to_string()
    } else {
        format!("{} feelings", c.feelings)
    };
    let verb = match c.drop() {
        d if d > 0 => "eased",
        0 => "stayed",
        _ => "rose",
    };
    Some(if c.drop() == 0 {
        format!(
            "Feelings stayed at {} out of 100 on average ({feelings})",
            c.before()
        )
    } else {
        format!(
            "Feelings {verb} from {} to {} out of 100 on average ({feelings})",
            c.before(),
            c.after()
        )
    })
}

fn record_view(r: &ThoughtRecord, me: &SignedIn) -> RecordView {
    let tz = me.actor.account().timezone.tz();
    RecordView {
        id: r.id,
        when: local_time_phrase(r.created_at, tz, Utc::now()),
        title: r.content.title(),
        balanced: r.content.balanced.clone(),
        change: change_phrase(r),
        bring: r.bring_to_session,
    }
}

#[derive(Template)]
#[template(path = "thought_records.html")]
struct ListPage {
    layout: Layout,
    notice: Option<&'static str>,
    summary: &'static str,
    about: &'static str,
    drafts: Vec<RecordView>,
    records: Vec<RecordView>,
    searching: Option<String>,
    search: String,
    older_link: Option<String>,
    older_cursor: Option<String>,
    newest_link: Option<String>,
    errors: Vec<FieldError>,
}

impl ListPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

/// Which page of the list.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    #[serde(default)]
    before: String,
    #[serde(default)]
    done: String,
}

/// The search box as typed; `before` continues a search to older results.
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    #[serde(default)]
    q: String,
    #[serde(default)]
    before: String,
}

fn notice_for(done: &str) -> Option<&'static str> {
    match done {
        "saved" => Some("Saved. Well done for taking the time."),
        "draft" => Some("Kept as a draft. You can carry on whenever you like."),
        "deleted" => Some("The thought record is deleted."),
        _ => None,
    }
}

fn tool() -> &'static domain::coping::Tool {
    domain::coping::ToolId::ThoughtRecord.tool()
}

async fn list_page(
    state: &AppState,
    me: &SignedIn,
    search: Option<String>,
    before: Option<RecordCursor>,
    errors: Vec<FieldError>,
    notice: Option<&'static str>,
) -> Result<ListPage, AppError> {
    // Drafts come first, whole: a person carries on one of a few, not pages of them.
    let drafts = if search.is_none() && before.is_none() {
        state
            .app
            .thought_record_page(&me.actor, RecordFilter::Drafts, None, None)
            .await?
            .records
    } else {
        Vec::new()
    };
    let RecordPage { records, next } = state
        .app
        .thought_record_page(&me.actor, RecordFilter::Done, search.as_deref(), before)
        .await?;
    Ok(ListPage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        notice,
        summary: tool().summary,
        about: tool().about,
        drafts: drafts.iter().map(|r| record_view(r, me)).collect(),
        records: records.iter().map(|r| record_view(r, me)).collect(),
        older_link: match &search {
            None => next.map(|c| format!("{HOME}?before={}", c.to_param())),
            Some(_) => None,
        },
        older_cursor: match &search {
            Some(_) => next.map(RecordCursor::to_param),
            None => None,
        },
        newest_link: (before.is_some() && search.is_none()).then(|| HOME.to_string()),
        search: search.clone().unwrap_or_default(),
        searching: search,
        errors,
    })
}

/// The tool's page: drafts, then saved records newest first.
pub async fn show(
    State(state): State<AppState>,
    me: SignedIn,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let p = list_page(
        &state,
        &me,
        None,
        RecordCursor::parse(&q.before),
        Vec::new(),
        notice_for(&q.done),
    )
    .await?;
    Ok(render(StatusCode::OK, &p))
}

/// Saved records containing a word, without the word ever reaching an address.
pub async fn search(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<SearchForm>,
) -> PageResult {
    let before = RecordCursor::parse(&form.before);
    match list_page(&state, &me, Some(form.q.clone()), before, Vec::new(), None).await {
        Ok(p) => Ok(render(StatusCode::OK, &p)),
        Err(AppError::Invalid(errors)) => {
            let mut p = list_page(&state, &me, None, None, errors, None).await?;
            p.search = form.q;
            shown_again(&p)
        }
        Err(e) => Err(e.into()),
    }
}

/// A common feeling's row: picked or not, its numbers as typed.
pub struct CommonRow {
    index: usize,
    name: &'static str,
    picked: bool,
    before: String,
    after: String,
}

/// A row for a feeling in the person's own words.
pub struct OwnRow {
    index: usize,
    name: String,
    before: String,
    after: String,
}

/// A thinking trap to tick.
pub struct TrapRow {
    code: &'static str,
    name: &'static str,
    explanation: &'static str,
    example: &'static str,
    checked: bool,
}

/// The form as typed (or as stored, for a change).
#[derive(Debug, Default)]
pub struct RecordForm {
    client_id: String,
    situation: String,
    thought: String,
    evidence_for: String,
    evidence_against: String,
    balanced: String,
    /// For each common feeling: ticked, and its two numbers as typed.
    common: Vec<(bool, String, String)>,
    /// Own feelings: name and the two numbers as typed.
    own: Vec<(String, String, String)>,
    traps: Vec<String>,
    bring: bool,
    /// `"draft"` when "Keep as a draft" was pressed.
    action: String,
}

impl RecordForm {
    fn blank() -> RecordForm {
        RecordForm {
            client_id: Uuid::new_v4().to_string(),
            common: vec![(false, String::new(), String::new()); COMMON_FEELINGS.len()],
            ..Default::default()
        }
    }

    /// The form of a stored record: each feeling in its common row when it is one of the
    /// common feelings, in an own row otherwise.
    fn of(r: &ThoughtRecord) -> RecordForm {
        let mut form = RecordForm::blank();
        form.client_id = r.client_id.to_string();
        form.situation.clone_from(&r.content.situation);
        form.thought.clone_from(&r.content.thought);
        form.evidence_for.clone_from(&r.content.evidence_for);
        form.evidence_against
            .clone_from(&r.content.evidence_against);
        form.balanced.clone_from(&r.content.balanced);
        form.traps = r
            .content
            .traps
            .iter()
            .map(|t| t.code().to_string())
            .collect();
        form.bring = r.bring_to_session;
        for f in &r.content.feelings {
            let after = f.after.map(|a| a.to_string()).unwrap_or_default();
            match COMMON_FEELINGS
                .iter()
                .position(|c| c.eq_ignore_ascii_case(&f.name))
            {
                Some(i) => form.common[i] = (true, f.before.to_string(), after),
                None => form.own.push((f.name.clone(), f.before.to_string(), after)),
            }
        }
        form
    }

    /// Reads the posted pairs: repeated and numbered names can't be plain struct fields.
    fn from_pairs(pairs: Vec<(String, String)>) -> RecordForm {
        let mut form = RecordForm::blank();
        form.client_id = String::new();
        let mut own_names = Vec::new();
        let mut own_before = Vec::new();
        let mut own_after = Vec::new();
        for (key, value) in pairs {
            match key.as_str() {
                "client_id" => form.client_id = value,
                "situation" => form.situation = value,
                "thought" => form.thought = value,
                "evidence_for" => form.evidence_for = value,
                "evidence_against" => form.evidence_against = value,
                "balanced" => form.balanced = value,
                "trap" => form.traps.push(value),
                "bring_to_session" => form.bring = true,
                "action" => form.action = value,
                "own_name" => own_names.push(value),
                "own_before" => own_before.push(value),
                "own_after" => own_after.push(value),
                "feel" => {
                    if let Some(row) = common_index(&value).and_then(|i| form.common.get_mut(i)) {
                        row.0 = true;
                    }
                }
                k => {
                    let (slot, index) = if let Some(i) = k.strip_prefix("before_") {
                        (1, i)
                    } else if let Some(i) = k.strip_prefix("after_") {
                        (2, i)
                    } else {
                        continue;
                    };
                    if let Some(row) = common_index(index).and_then(|i| form.common.get_mut(i)) {
                        if slot == 1 {
                            row.1 = value;
                        } else {
                            row.2 = value;
                        }
                    }
                }
            }
        }
        // Rows pair by position; at most as many as a record holds feelings.
        for (i, name) in own_names.into_iter().enumerate().take(MAX_FEELINGS) {
            form.own.push((
                name,
                own_before.get(i).cloned().unwrap_or_default(),
                own_after.get(i).cloned().unwrap_or_default(),
            ));
        }
        form
    }

    fn is_draft(&self) -> bool {
        self.action == "draft"
    }

    /// The feelings, and the numbers that are not numbers.
    fn feelings(&self) -> (Vec<FeelingInput>, Vec<FieldError>) {
        let mut errors = Vec::new();
        let mut number = |raw: &str, field: &'static str, name: &str| -> Option<i64> {
            let raw = raw.trim();
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    errors.push(FieldError::new(
                        field,
                        format!("How strong \"{name}\" is goes from 0 to 100, as a whole number."),
                    ));
                    None
                }
            }
        };
        let mut feelings = Vec::new();
        for (i, (picked, before, after)) in self.common.iter().enumerate() {
            let name = COMMON_FEELINGS[i];
            // A number typed beside a feeling says it was felt, ticked or not.
            if *picked || !before.trim().is_empty() {
                feelings.push(FeelingInput {
                    name: Some(name.to_string()),
                    before: number(before, "feelings", name),
                    after: number(after, "after", name),
                });
            }
        }
        for (name, before, after) in &self.own {
            if name.trim().is_empty() && before.trim().is_empty() {
                continue;
            }
            let shown = if name.trim().is_empty() {
                "your own feeling"
            } else {
                name.trim()
            };
            feelings.push(FeelingInput {
                name: Some(name.clone()),
                before: number(before, "feelings", shown),
                after: number(after, "after", shown),
            });
        }
        (feelings, errors)
    }

    fn traps(&self) -> Vec<String> {
        self.traps.clone()
    }

    fn status(&self) -> Status {
        if self.is_draft() {
            Status::Draft
        } else {
            Status::Done
        }
    }
}

fn common_index(s: &str) -> Option<usize> {
    s.strip_prefix('c')?
        .parse::<usize>()
        .ok()
        .filter(|i| *i < COMMON_FEELINGS.len())
}

/// The form page.
#[derive(Template)]
#[template(path = "thought_record_form.html")]
struct FormPage {
    layout: Layout,
    /// Where the form posts.
    action: String,
    /// `None` for a new record.
    id: Option<ThoughtRecordId>,
    draft: bool,
    form: RecordForm,
    common: Vec<CommonRow>,
    own: Vec<OwnRow>,
    traps: Vec<TrapRow>,
    steps: usize,
    max_chars: usize,
    max_name: usize,
    errors: Vec<FieldError>,
}

impl FormPage {
    fn error_for(&self, field: &str) -> Option<&str> {
        message_for(&self.errors, field)
    }
}

fn form_page(
    me: &SignedIn,
    id: Option<ThoughtRecordId>,
    draft: bool,
    form: RecordForm,
    errors: Vec<FieldError>,
) -> FormPage {
    let common = COMMON_FEELINGS
        .iter()
        .enumerate()
        .map(|(index, name)| {
            let (picked, before, after) = form.common.get(index).cloned().unwrap_or_default();
            CommonRow {
                index,
                name,
                picked,
                before,
                after,
            }
        })
        .collect();
    let rows = form.own.len().clamp(OWN_ROWS, MAX_FEELINGS);
    let own = (0..rows)
        .map(|index| {
            let (name, before, after) = form.own.get(index).cloned().unwrap_or_default();
            OwnRow {
                index,
                name,
                before,
                after,
            }
        })
        .collect();
    let traps = Trap::ALL
        .into_iter()
        .map(|t| TrapRow {
            code: t.code(),
            name: t.name(),
            explanation: t.explanation(),
            example: t.example(),
            checked: form.traps.iter().any(|c| c == t.code()),
        })
        .collect();
    FormPage {
        layout: Layout::signed_in(&me.csrf, "toolkit"),
        action: match id {
            Some(id) => format!("{HOME}/{id}/edit"),
            None => format!("{HOME}/new"),
        },
        id,
        draft,
        form,
        common,
        own,
        traps,
        steps: STEPS,
        max_chars: MAX_TEXT_CHARS,
        max_name: MAX_FEELING_NAME_CHARS,
        errors,
    }
}

/// A new record's form.
pub async fn new_show(me: SignedIn) -> PageResult {
    Ok(render(
        StatusCode::OK,
        &form_page(&me, None, false, RecordForm::blank(), Vec::new()),
    ))
}

/// Where a save leads: a finished record to its page, a draft back to the list.
fn after_save(r: &ThoughtRecord) -> String {
    match r.status {
        Status::Done => format!("{HOME}/{}?done=saved", r.id),
        Status::Draft => format!("{HOME}?done=draft"),
    }
}

/// Saves a new record, finished or as a draft, or shows the form again with what to fix.
pub async fn create(
    State(state): State<AppState>,
    CheckedForm { me, form }: CheckedForm<Vec<(String, String)>>,
) -> PageResult {
    let form = RecordForm::from_pairs(form);
    let (feelings, mut errors) = form.feelings();
    if errors.is_empty() {
        let input = ThoughtRecordInput {
            client_id: Uuid::parse_str(form.client_id.trim()).ok(),
            situation: Some(form.situation.clone()),
            feelings: Some(feelings),
            thought: Some(form.thought.clone()),
            evidence_for: Some(form.evidence_for.clone()),
            evidence_against: Some(form.evidence_against.clone()),
            traps: Some(form.traps()),
            balanced: Some(form.balanced.clone()),
            bring_to_session: Some(form.bring),
            status: Some(form.status().code().to_string()),
        };
        match state.app.write_thought_record(&me.actor, input).await {
            Ok((r, _)) => return go(&after_save(&r)),
            Err(AppError::Invalid(e)) => errors = e,
            Err(e) => return Err(e.into()),
        }
    }
    let mut form = form;
    if Uuid::parse_str(form.client_id.trim()).is_err() {
        form.client_id = Uuid::new_v4().to_string();
    }
    let draft = form.is_draft();
    shown_again(&form_page(&me, None, draft, form, errors))
}

/// A stored record's form, to carry on or change.
pub async fn edit_show(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<ThoughtRecordId>,
) -> PageResult {
    let r = found(state.app.thought_record(&me.actor, id).await)?;
    Ok(render(
        StatusCode::OK,
        &form_page(
            &me,
            Some(id),
            r.status == Status::Draft,
            RecordForm::of(&r),
            Vec::new(),
        ),
    ))
}

/// Saves a change (every part, as the form sends them all), or shows it again.
pub async fn edit_save(
    State(state): State<AppState>,
    Path(id): Path<ThoughtRecordId>,
    CheckedForm { me, form }: CheckedForm<Vec<(String, String)>>,
) -> PageResult {
    let form = RecordForm::from_pairs(form);
    let (feelings, mut errors) = form.feelings();
    if errors.is_empty() {
        let edit = ThoughtRecordEdit {
            situation: Some(form.situation.clone()),
            feelings: Some(feelings),
            thought: Some(form.thought.clone()),
            evidence_for: Some(form.evidence_for.clone()),
            evidence_against: Some(form.evidence_against.clone()),
            traps: Some(form.traps()),
            balanced: Some(form.balanced.clone()),
            bring_to_session: Some(form.bring),
            status: Some(form.status().code().to_string()),
        };
        match state.app.edit_thought_record(&me.actor, id, edit).await {
            Ok(r) => return go(&after_save(&r)),
            Err(AppError::Invalid(e)) => errors = e,
            Err(AppError::NotFound) => return Err(PageError::NotFound),
            Err(e) => return Err(e.into()),
        }
    }
    // Still the person's? (A 404 rather than a form for someone else's record.)
    let stored = found(state.app.thought_record(&me.actor, id).await)?;
    let draft = stored.status == Status::Draft;
    shown_again(&form_page(&me, Some(id), draft, form, errors))
}

/// A feeling as read back.
pub struct FeelingView {
    name: String,
    before: u8,
    after: Option<u8>,
}

/// A trap as read back.
pub struct TrapView {
    name: &'static str,
    explanation: &'static str,
}

#[derive(Template)]
#[template(path = "thought_record.html")]
struct ReadPage {
    layout: Layout,
    notice: Option<&'static str>,
    id: ThoughtRecordId,
    when: String,
    draft: bool,
    situation: String,
    feelings: Vec<FeelingView>,
    thought: String,
    evidence_for: String,
    evidence_against: String,
    traps: Vec<TrapView>,
    balanced: String,
    change: Option<String>,
    bring: bool,
}

/// Notices on a record's page.
#[derive(Debug, Default, Deserialize)]
pub struct ReadQuery {
    #[serde(default)]
    done: String,
}

/// One record, to read, change, delete or bring to the next session.
pub async fn read(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<ThoughtRecordId>,
    Query(q): Query<ReadQuery>,
) -> PageResult {
    let r = found(state.app.thought_record(&me.actor, id).await)?;
    let tz = me.actor.account().timezone.tz();
    let c = &r.content;
    Ok(render(
        StatusCode::OK,
        &ReadPage {
            layout: Layout::signed_in(&me.csrf, "toolkit"),
            notice: match q.done.as_str() {
                "saved" => notice_for("saved"),
                "brought" => Some("On your agenda for the next session."),
                _ => None,
            },
            id,
            when: format!(
                "Started {}",
                local_time_phrase(r.created_at, tz, Utc::now())
            ),
            draft: r.status == Status::Draft,
            situation: c.situation.clone(),
            feelings: c
                .feelings
                .iter()
                .map(|f| FeelingView {
                    name: f.name.clone(),
                    before: f.before,
                    after: f.after,
                })
                .collect(),
            thought: c.thought.clone(),
            evidence_for: c.evidence_for.clone(),
            evidence_against: c.evidence_against.clone(),
            traps: c
                .traps
                .iter()
                .map(|t| TrapView {
                    name: t.name(),
                    explanation: t.explanation(),
                })
                .collect(),
            balanced: c.balanced.clone(),
            change: change_phrase(&r),
            bring: r.bring_to_session,
        },
    ))
}

/// "Bring to my next session": one tap puts the record on the agenda.
pub async fn bring(
    State(state): State<AppState>,
    Path(id): Path<ThoughtRecordId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.bring_thought_record(&me.actor, id).await,
        &format!("{HOME}/{id}?done=brought"),
    )
}

#[derive(Template)]
#[template(path = "thought_record_delete.html")]
struct DeletePage {
    layout: Layout,
    id: ThoughtRecordId,
    when: String,
    title: String,
}

/// Asks before deleting: a record cannot be brought back.
pub async fn delete_confirm(
    State(state): State<AppState>,
    me: SignedIn,
    Path(id): Path<ThoughtRecordId>,
) -> PageResult {
    let r = found(state.app.thought_record(&me.actor, id).await)?;
    let view = record_view(&r, &me);
    Ok(render(
        StatusCode::OK,
        &DeletePage {
            layout: Layout::signed_in(&me.csrf, "toolkit"),
            id,
            when: view.when,
            title: view.title,
        },
    ))
}

/// Deletes a record, its agenda topic and its use of the tool.
pub async fn delete(
    State(state): State<AppState>,
    Path(id): Path<ThoughtRecordId>,
    CheckedForm { me, .. }: CheckedForm<TokenForm>,
) -> PageResult {
    changed(
        state.app.delete_thought_record(&me.actor, id).await,
        &format!("{HOME}?done=deleted"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(p: &[(&str, &str)]) -> Vec<(String, String)> {
        p.iter()
            .map(|(k, v)| ((*k).to_string(), (*v).to_string()))
            .collect()
    }

    #[test]
    fn feelings_typed_in_one_submission_pair_by_position() {
        let form = RecordForm::from_pairs(pairs(&[
            ("feel", "c0"),
            ("before_c0", "80"),
            ("after_c0", "40"),
            // A number without the tick counts; a tick-less, number-less row doesn't.
            ("before_c3", "30"),
            ("after_c5", "10"),
            ("own_name", "Embarrassed"),
            ("own_before", "60"),
            ("own_after", ""),
            ("own_name", ""),
            ("own_before", ""),
            ("own_after", ""),
            ("action", "draft"),
        ]));
        let (feelings, errors) = form.feelings();
        assert!(errors.is_empty());
        let named: Vec<(&str, Option<i64>, Option<i64>)> = feelings
            .iter()
            .map(|f| (f.name.as_deref().unwrap_or(""), f.before, f.after))
            .collect();
        assert_eq!(
            named,
            vec![
                ("Anxious", Some(80), Some(40)),
                ("Ashamed", Some(30), None),
                ("Embarrassed", Some(60), None),
            ]
        );
        assert_eq!(form.status(), Status::Draft);
    }

    #[test]
    fn a_word_where_a_number_goes_is_named() {
        let form = RecordForm::from_pairs(pairs(&[("feel", "c1"), ("before_c1", "lots")]));
        let (_, errors) = form.feelings();
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].field, "feelings");
        assert!(errors[0].message.contains("Sad"));
    }
}
