//! Guidance over many one-year histories, in the domain alone (no IO): the cost of
//! re-assessing everyone, e.g. after a rule changes. Timed on one thread, so the total is
//! seconds per core.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Duration as Days, TimeZone as _, Utc};
use domain::history::{
    CheckInRecord, CopingRecord, History, QuestionnaireRecord, SessionRecord, TimeZone,
};
use domain::questionnaire::{Answers, Instrument};
use domain::rating::Rating;

/// Histories are generated in chunks so 100,000 years of data never sit in memory at once;
/// only `assess` is timed.
const CHUNK: usize = 1_000;

pub struct GuidanceFigures {
    pub histories: usize,
    pub total: Duration,
}

impl GuidanceFigures {
    pub fn micros_per_history(&self) -> f64 {
        self.total.as_secs_f64() * 1e6 / self.histories as f64
    }

    /// Seconds one core would take for 100,000 histories at the measured rate.
    pub fn seconds_per_100k(&self) -> f64 {
        self.micros_per_history() * 100_000.0 / 1e6
    }
}

pub fn run(histories: usize) -> anyhow::Result<GuidanceFigures> {
    // A fixed seed: every run assesses the same histories.
    let mut rng = XorShift(0x5eed_b37e_e000_0001);
    let at = Utc
        .with_ymd_and_hms(2026, 6, 1, 12, 0, 0)
        .single()
        .ok_or_else(|| anyhow::anyhow!("bad fixed date"))?;
    let mut total = Duration::ZERO;
    let mut done = 0;
    let mut reasons = 0usize;
    while done < histories {
        let n = CHUNK.min(histories - done);
        let chunk = (0..n)
            .map(|_| one_year(&mut rng, at))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let start = Instant::now();
        for history in &chunk {
            let guidance = domain::guidance::assess(black_box(history), at);
            reasons += black_box(guidance).reasons.len();
        }
        total += start.elapsed();
        done += n;
    }
    // Printed so the work can't be optimised away and a reader sees the rules fired.
    println!("  ({reasons} reasons in all)");
    Ok(GuidanceFigures { histories, total })
}

/// A year up to `at`: most days one check-in (some two, some none), mood drifting around a
/// personal level with bad spells, a session a week, a few coping uses and questionnaires.
fn one_year(rng: &mut XorShift, at: DateTime<Utc>) -> anyhow::Result<History> {
    let zone = if rng.below(2) == 0 {
        "Europe/London"
    } else {
        "America/New_York"
    };
    let mut h = History::new(TimeZone::parse(zone)?);
    h.usual_mood = Some(Rating::new(5 + rng.below(3) as i64)?);
    let level = 4 + rng.below(4) as i64;
    let start = at - Days::days(365);
    for day in 0..365 {
        let morning =
            start + Days::days(day) + Days::hours(8) + Days::minutes(rng.below(600) as i64);
        let spell = if (day / 30) % 5 == 4 { -2 } else { 0 };
        let count = match rng.below(10) {
            0 => 0,
            1 => 2,
            _ => 1,
        };
        for k in 0..count {
            let mood = (level + spell + rng.below(5) as i64 - 2).clamp(0, 10);
            let mut c = CheckInRecord::new(morning + Days::hours(6 * k), Rating::new(mood)?);
            c.anxiety = Some(Rating::new(rng.below(11) as i64)?);
            c.energy = Some(Rating::new(rng.below(11) as i64)?);
            c.missed_usual_activities = Some(rng.below(8) == 0);
            c.self_harm_thoughts = Some(false);
            h.checkins.push(c);
        }
        if day % 7 == 3 {
            h.sessions.push(SessionRecord {
                at: start + Days::days(day) + Days::hours(15),
            });
        }
    }
    for _ in 0..10 + rng.below(20) {
        let before = 5 + rng.below(5) as i64;
        h.coping.push(CopingRecord {
            at: start + Days::minutes(rng.below(365 * 24 * 60) as i64),
            tool: Some("box-breathing".to_string()),
            distress_before: Some(Rating::new(before)?),
            distress_after: Some(Rating::new(before - rng.below(4) as i64)?),
        });
    }
    for month in 0..12 {
        let when = start + Days::days(30 * month + 10);
        let (instrument, len) = if month % 2 == 0 {
            (Instrument::Phq9, 9)
        } else {
            (Instrument::Gad7, 7)
        };
        let items: Vec<u8> = (0..len).map(|_| rng.below(4) as u8).collect();
        h.questionnaires.push(QuestionnaireRecord {
            at: when,
            answers: Answers::new(instrument, &items)?,
        });
    }
    Ok(h)
}

/// A small deterministic generator; the histories need variety, not cryptographic quality.
struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}
