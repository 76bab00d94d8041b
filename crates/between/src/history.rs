//! The part of an export document that guidance reads, in the history format, so `between
//! assess` takes either file.

use serde_json::{Map, Value, json};

/// The history inside `text` when it is an export document (docs/export-format.md); `None`
/// when it is not one (a history file, or not JSON: the history reader explains).
pub fn from_export(text: &str) -> Option<Result<String, String>> {
    let doc: Value = serde_json::from_str(text).ok()?;
    if doc.get("format").and_then(Value::as_str) != Some(store::export::FORMAT) {
        return None;
    }
    Some(history_of(&doc))
}

fn history_of(doc: &Value) -> Result<String, String> {
    let data = doc
        .get("data")
        .and_then(Value::as_object)
        .ok_or("data: an export must hold an object of data")?;
    let rows = |table: &str| -> Vec<&Map<String, Value>> {
        data.get(table)
            .and_then(Value::as_array)
            .map(|rows| rows.iter().filter_map(Value::as_object).collect())
            .unwrap_or_default()
    };
    // Copies the fields that are set, under the history's names.
    let pick = |row: &Map<String, Value>, fields: &[(&str, &str)]| -> Value {
        let mut out = Map::new();
        for (from, to) in fields {
            if let Some(v) = row.get(*from).filter(|v| !v.is_null()) {
                out.insert((*to).to_string(), v.clone());
            }
        }
        Value::Object(out)
    };
    let profile = doc.get("profile").cloned().unwrap_or_default();
    let history = json!({
        "timezone": profile.get("timezone").cloned().unwrap_or(Value::Null),
        "usual_mood": profile.get("usual_mood").cloned().unwrap_or(Value::Null),
        "sessions": rows("therapy_sessions").iter().map(|r| pick(r, &[("at", "at")])).collect::<Vec<_>>(),
        "checkins": rows("checkins").iter().map(|r| pick(r, &[
            ("at", "at"),
            ("mood", "mood"),
            ("anxiety", "anxiety"),
            ("energy", "energy"),
            ("missed_usual_activities", "missed_usual_activities"),
            ("self_harm_thoughts", "self_harm_thoughts"),
        ])).collect::<Vec<_>>(),
        "coping": rows("coping_uses").iter().map(|r| pick(r, &[
            ("started_at", "at"),
            ("tool", "tool"),
            ("distress_before", "distress_before"),
            ("distress_after", "distress_after"),
        ])).collect::<Vec<_>>(),
        "questionnaires": rows("questionnaires").iter().map(|r| pick(r, &[
            ("at", "at"),
            ("instrument", "instrument"),
            ("answers", "answers"),
        ])).collect::<Vec<_>>(),
    });
    Ok(history.to_string())
}
