//! Which columns hold sealed (encrypted) values, and what identifies their rows.
//!
//! A column listed in [`ALL`] holds only sealed values (or NULL): at start, a database whose
//! column was written before it was listed has its existing values sealed once, and the
//! column is recorded in `vault_sealed_columns` (see `startup`). The row is identified by the
//! client id where the table has one (it is known before the row is written, and moves with
//! the data in an export), by the primary key otherwise.

/// A sealed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// The table.
    pub table: &'static str,
    /// The column.
    pub column: &'static str,
    /// The table's column naming the account that owns the row.
    pub account_column: &'static str,
    /// The table's column identifying the row within the account.
    pub row_key: &'static str,
}

impl Column {
    const fn keyed_by_client_id(table: &'static str, column: &'static str) -> Column {
        Column {
            table,
            column,
            account_column: "account_id",
            row_key: "client_id",
        }
    }

    const fn keyed_by_id(table: &'static str, column: &'static str) -> Column {
        Column {
            table,
            column,
            account_column: "account_id",
            row_key: "id",
        }
    }

    /// The associated data binding a value to its account, table, column and row.
    pub(crate) fn associated_data(&self, account: i64, row: &str) -> String {
        format!("between:{}.{}:{account}:{row}", self.table, self.column)
    }
}

/// A check-in's note.
pub const CHECKIN_NOTE: Column = Column::keyed_by_client_id("checkins", "note");
/// A check-in's answer about alcohol or other substances, in the person's words.
pub const CHECKIN_SUBSTANCES: Column = Column::keyed_by_client_id("checkins", "substances");
/// A check-in's "harder today" tags (the stored JSON list), since people add their own.
pub const CHECKIN_TAGS: Column = Column::keyed_by_client_id("checkins", "harder_today");

/// A journal entry's words.
pub const JOURNAL_TEXT: Column = Column::keyed_by_client_id("journal_entries", "text");
/// An agenda topic's words (some are a journal entry's first line); topics made by Between
/// from a journal entry, a reflection or a parked worry have no client id, so the row is
/// the topic's id.
pub const AGENDA_TEXT: Column = Column::keyed_by_id("agenda_items", "text");

/// A note on what did or didn't sit well in therapy.
pub const FEEDBACK_TEXT: Column = Column::keyed_by_client_id("feedback_notes", "text");
/// What a person wrote after a session in its reflection.
pub const REFLECTION_FEEDBACK: Column = Column::keyed_by_client_id("reflections", "feedback");

/// Homework in the person's words.
pub const HOMEWORK_TEXT: Column = Column::keyed_by_client_id("homework", "text");
/// A note on doing homework.
pub const HOMEWORK_LOG_NOTE: Column = Column::keyed_by_client_id("homework_log", "note");

/// A note on using a coping tool.
pub const COPING_USE_NOTE: Column = Column::keyed_by_client_id("coping_uses", "note");
/// An item of the person's own self-care or distraction list; items have no client id.
pub const COPING_LIST_TEXT: Column = Column::keyed_by_id("coping_list_items", "text");

/// A version of the safety or backsliding plan (its whole body, as the plan's JSON); sealed
/// under the plan owner's key, bound to the version's id.
pub const PLAN_BODY: Column = Column::keyed_by_id("plan_versions", "body");

/// The private note on a therapy session (the first of a series holds it); sealed bound to
/// the session's id, since sessions of older requests have no client id.
pub const SESSION_NOTE: Column = Column::keyed_by_id("therapy_sessions", "note");

// Bedtime routine.
/// The steps of a bedtime routine (the stored JSON list); one routine per account, so the
/// row is the account's own id.
pub const BEDTIME_ITEMS: Column = Column {
    table: "bedtime_routines",
    column: "items",
    account_column: "account_id",
    row_key: "account_id",
};
// Thought records: every part the person writes, bound to the record's client id. The
// feelings are the JSON list of names and ratings; the traps are codes from a fixed list and
// stay plain.
/// What happened, in a thought record.
pub const THOUGHT_SITUATION: Column = Column::keyed_by_client_id("thought_records", "situation");
/// A thought record's feelings and their ratings (the JSON list).
pub const THOUGHT_FEELINGS: Column = Column::keyed_by_client_id("thought_records", "feelings");
/// The thought that hurt most.
pub const THOUGHT_THOUGHT: Column = Column::keyed_by_client_id("thought_records", "thought");
/// What supports the thought.
pub const THOUGHT_EVIDENCE_FOR: Column =
    Column::keyed_by_client_id("thought_records", "evidence_for");
/// What doesn't support it.
pub const THOUGHT_EVIDENCE_AGAINST: Column =
    Column::keyed_by_client_id("thought_records", "evidence_against");
/// The more balanced thought.
pub const THOUGHT_BALANCED: Column = Column::keyed_by_client_id("thought_records", "balanced");

// Second sign-in step.
/// The shared secret of the account's authenticator app (base32 once opened); one per
/// account, so the row is the account's own id.
pub const SECOND_FACTOR_SECRET: Column = Column {
    table: "second_factors",
    column: "secret",
    account_column: "account_id",
    row_key: "account_id",
};

/// A part of the therapist's contact details, on the account's own row.
const fn therapist(column: &'static str) -> Column {
    Column {
        table: "accounts",
        column,
        account_column: "id",
        row_key: "id",
    }
}
/// The therapist's name.
pub const THERAPIST_NAME: Column = therapist("therapist_name");
/// The therapist's phone number.
pub const THERAPIST_PHONE: Column = therapist("therapist_phone");
/// The therapist's email address.
pub const THERAPIST_EMAIL: Column = therapist("therapist_email");

/// Every sealed column.
pub const ALL: &[Column] = &[
    CHECKIN_NOTE,
    CHECKIN_SUBSTANCES,
    CHECKIN_TAGS,
    JOURNAL_TEXT,
    AGENDA_TEXT,
    FEEDBACK_TEXT,
    REFLECTION_FEEDBACK,
    HOMEWORK_TEXT,
    HOMEWORK_LOG_NOTE,
    COPING_USE_NOTE,
    COPING_LIST_TEXT,
    PLAN_BODY,
    SESSION_NOTE,
    THERAPIST_NAME,
    THERAPIST_PHONE,
    THERAPIST_EMAIL,
    // Bedtime routine.
    BEDTIME_ITEMS,
    // Thought records.
    THOUGHT_SITUATION,
    THOUGHT_FEELINGS,
    THOUGHT_THOUGHT,
    THOUGHT_EVIDENCE_FOR,
    THOUGHT_EVIDENCE_AGAINST,
    THOUGHT_BALANCED,
    // Second sign-in step.
    SECOND_FACTOR_SECRET,
];

/// The sealed column `table.column`, if it is one.
pub fn of(table: &str, column: &str) -> Option<Column> {
    ALL.iter()
        .find(|c| c.table == table && c.column == column)
        .copied()
}

/// The wrapped data key of the account `$1`.
pub(crate) const KEY_OF: &str = "SELECT wrapped FROM account_keys WHERE account_id = $1";

/// Stores an account's wrapped data key: the account, the key, the time.
pub(crate) const INSERT_KEY: &str =
    "INSERT INTO account_keys (account_id, wrapped, created_ms) VALUES ($1, $2, $3)";
