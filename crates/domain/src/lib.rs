//! The pure core of Between: types, validation, scoring, guidance and the crisis directory.
//! No IO, no async, no SQL, no HTTP: everything here is a function of its inputs.
#![warn(missing_docs)]

pub mod account;
pub mod bedtime;
pub mod brief;
pub mod checkin;
pub mod contact;
pub mod coping;
pub mod crisis;
pub mod feedback;
pub mod guidance;
pub mod history;
pub mod homework;
pub mod id;
pub mod idempotency;
// Invite codes for sharing with a therapist.
pub mod invite;
pub mod journal;
pub mod order;
pub mod plans;
pub mod profile;
pub mod questionnaire;
pub mod rating;
pub mod sharing;
pub mod text;
pub mod therapy;
pub mod thought_record;
pub mod when;
