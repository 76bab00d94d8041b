//! The tools in the coping toolkit: what each is for, in our own words, and its guided,
//! timed steps. The ids are stable: they are stored with every use and sent by the API.

use serde::{Serialize, Serializer};

use super::lists::ListKind;

/// A tool's stable id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ToolId {
    /// Box breathing, 4-4-4-4.
    BoxBreathing,
    /// 4-7-8 breathing.
    Breathing478,
    /// Progressive muscle relaxation.
    ProgressiveMuscleRelaxation,
    /// 5-4-3-2-1 grounding through the senses.
    Grounding54321,
    /// A strong, safe sensation: cold water, a scent.
    SensoryReset,
    /// A few minutes of gentle movement.
    MovementBreak,
    /// Guided imagery of a safe place.
    GuidedImagery,
    /// A mindful body scan.
    BodyScan,
    /// Write a thought down and park it on the agenda for the next session.
    ParkIt,
    /// Write down two good things.
    TwoGoodThings,
    /// Something from the person's own self-care list.
    SelfCare,
    /// Something from the person's own distraction list.
    Distraction,
    /// A thought record: untangle a thought that hurt, step by step.
    ThoughtRecord,
    /// A self-compassion break in three movements.
    SelfCompassion,
    /// The person's own bedtime routine, ticked off in the evening.
    BedtimeRoutine,
}

impl ToolId {
    /// Every tool, in the order the toolkit shows them.
    pub const ALL: [ToolId; 15] = [
        ToolId::BoxBreathing,
        ToolId::Breathing478,
        ToolId::Grounding54321,
        ToolId::SensoryReset,
        ToolId::GuidedImagery,
        ToolId::ProgressiveMuscleRelaxation,
        ToolId::BodyScan,
        ToolId::MovementBreak,
        ToolId::ParkIt,
        ToolId::TwoGoodThings,
        ToolId::ThoughtRecord,
        ToolId::SelfCompassion,
        ToolId::BedtimeRoutine,
        ToolId::SelfCare,
        ToolId::Distraction,
    ];

    /// The stable code used in URLs, the API and storage.
    pub fn code(self) -> &'static str {
        match self {
            ToolId::BoxBreathing => "box-breathing",
            ToolId::Breathing478 => "breathing-4-7-8",
            ToolId::ProgressiveMuscleRelaxation => "progressive-muscle-relaxation",
            ToolId::Grounding54321 => "grounding-5-4-3-2-1",
            ToolId::SensoryReset => "sensory-reset",
            ToolId::MovementBreak => "movement-break",
            ToolId::GuidedImagery => "guided-imagery",
            ToolId::BodyScan => "body-scan",
            ToolId::ParkIt => "park-it",
            ToolId::TwoGoodThings => "two-good-things",
            ToolId::SelfCare => "self-care",
            ToolId::Distraction => "distraction",
            ToolId::ThoughtRecord => "thought-record",
            ToolId::SelfCompassion => "self-compassion",
            ToolId::BedtimeRoutine => "bedtime-routine",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Option<ToolId> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The tool's description and steps.
    pub fn tool(self) -> &'static Tool {
        match self {
            ToolId::BoxBreathing => &BOX_BREATHING,
            ToolId::Breathing478 => &BREATHING_478,
            ToolId::ProgressiveMuscleRelaxation => &MUSCLE_RELAXATION,
            ToolId::Grounding54321 => &GROUNDING,
            ToolId::SensoryReset => &SENSORY_RESET,
            ToolId::MovementBreak => &MOVEMENT_BREAK,
            ToolId::GuidedImagery => &GUIDED_IMAGERY,
            ToolId::BodyScan => &BODY_SCAN,
            ToolId::ParkIt => &PARK_IT,
            ToolId::TwoGoodThings => &TWO_GOOD_THINGS,
            ToolId::SelfCare => &SELF_CARE,
            ToolId::Distraction => &DISTRACTION,
            ToolId::ThoughtRecord => &THOUGHT_RECORD,
            ToolId::SelfCompassion => &SELF_COMPASSION,
            ToolId::BedtimeRoutine => &BEDTIME_ROUTINE,
        }
    }

    /// The tool's name, for lists and sentences.
    pub fn name(self) -> &'static str {
        self.tool().name
    }
}

impl Serialize for ToolId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl std::fmt::Display for ToolId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// What a step asks of the person; the breathing cues drive the pacer's animation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cue {
    /// Breathe in.
    In,
    /// Hold the breath (after breathing in or out).
    Hold,
    /// Breathe out.
    Out,
    /// Tense a group of muscles.
    Tense,
    /// Let the muscles go.
    Release,
    /// Follow the instruction.
    Guide,
    /// Write in the box; the player waits for the person instead of moving on by itself.
    Write,
    /// Choose something; the player waits for the person.
    Choose,
}

impl Cue {
    /// Stable code, used as a class and data attribute by the player.
    pub fn code(self) -> &'static str {
        match self {
            Cue::In => "in",
            Cue::Hold => "hold",
            Cue::Out => "out",
            Cue::Tense => "tense",
            Cue::Release => "release",
            Cue::Guide => "guide",
            Cue::Write => "write",
            Cue::Choose => "choose",
        }
    }

    /// The short word the player shows large, if the cue has one.
    pub fn label(self) -> Option<&'static str> {
        match self {
            Cue::In => Some("Breathe in"),
            Cue::Hold => Some("Hold"),
            Cue::Out => Some("Breathe out"),
            Cue::Tense => Some("Tense"),
            Cue::Release => Some("Let go"),
            Cue::Guide | Cue::Write | Cue::Choose => None,
        }
    }

    /// Whether the player waits for the person at the end of the step.
    pub fn waits(self) -> bool {
        matches!(self, Cue::Write | Cue::Choose)
    }
}

/// One timed step of a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    /// What kind of step it is.
    pub cue: Cue,
    /// How long it lasts (for `Write` and `Choose`, a suggestion).
    pub seconds: u16,
    /// The instruction, in a sentence.
    pub text: &'static str,
}

/// How a tool is guided, which decides the player's controls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Kind {
    /// A breathing pattern repeated for a number of rounds the person chooses.
    Breathing {
        /// Rounds suggested to start with.
        default_rounds: u8,
    },
    /// A sequence of timed instructions.
    Guided,
    /// A sequence of timed instructions the person may go through more than once.
    Repeated {
        /// Rounds suggested to start with.
        default_rounds: u8,
    },
    /// A sequence that includes writing something down.
    Writing,
    /// Pick something from one of the person's own lists.
    List {
        /// Which list.
        list: ListKind,
    },
    /// A structured record the person fills in and keeps, on pages of its own (the thought
    /// record); the steps describe its parts.
    Record,
    /// A routine the person builds and ticks off, on a page of its own (bedtime).
    Routine,
}

/// Where the toolkit page groups a tool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Group {
    /// Slow, paced breathing.
    Breathing,
    /// Coming back to the here and now.
    Grounding,
    /// Calming the body.
    Body,
    /// Putting things into words.
    Writing,
    /// Working with a harsh or stuck thought.
    Thoughts,
    /// Winding down for sleep.
    Sleep,
    /// The person's own lists.
    Mine,
}

impl Group {
    /// Every group, in page order.
    pub const ALL: [Group; 7] = [
        Group::Breathing,
        Group::Grounding,
        Group::Body,
        Group::Writing,
        Group::Thoughts,
        Group::Sleep,
        Group::Mine,
    ];

    /// The group's heading.
    pub fn heading(self) -> &'static str {
        match self {
            Group::Breathing => "Breathe",
            Group::Grounding => "Come back to the here and now",
            Group::Body => "Calm the body",
            Group::Writing => "Put it into words",
            Group::Thoughts => "Be kinder to your thoughts",
            Group::Sleep => "Wind down for sleep",
            Group::Mine => "Your own lists",
        }
    }
}

/// A coping tool: what it is for and how to do it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Tool {
    /// Stable id.
    pub id: ToolId,
    /// Its name.
    pub name: &'static str,
    /// One line for the list of tools.
    pub summary: &'static str,
    /// A short explanation of what it does and why it can help.
    pub about: &'static str,
    /// Where the toolkit groups it.
    pub group: Group,
    /// How it is guided.
    pub kind: Kind,
    /// The steps; for breathing, one round.
    pub steps: &'static [Step],
}

/// The fewest and most breathing rounds the player offers.
pub const ROUNDS_RANGE: std::ops::RangeInclusive<u8> = 2..=12;

/// The rounds the player offers for a repeated sequence: longer than a breath, so fewer.
pub const REPEATED_ROUNDS_RANGE: std::ops::RangeInclusive<u8> = 1..=3;

impl Tool {
    /// Rounds to repeat the steps by default: the suggestion for breathing, else once.
    pub fn default_rounds(&self) -> u8 {
        match self.kind {
            Kind::Breathing { default_rounds } | Kind::Repeated { default_rounds } => {
                default_rounds
            }
            _ => 1,
        }
    }

    /// The rounds the person may choose from, for tools that repeat.
    pub fn rounds_range(&self) -> Option<std::ops::RangeInclusive<u8>> {
        match self.kind {
            Kind::Breathing { .. } => Some(ROUNDS_RANGE),
            Kind::Repeated { .. } => Some(REPEATED_ROUNDS_RANGE),
            _ => None,
        }
    }

    /// Whether the tool lives on pages of its own rather than in the guided player.
    pub fn has_own_pages(&self) -> bool {
        matches!(self.kind, Kind::Record | Kind::Routine)
    }

    /// Whether the steps are a breathing pattern.
    pub fn is_breathing(&self) -> bool {
        matches!(self.kind, Kind::Breathing { .. })
    }

    /// Seconds for one pass through the steps.
    pub fn round_seconds(&self) -> u32 {
        self.steps.iter().map(|s| u32::from(s.seconds)).sum()
    }

    /// Seconds for the whole exercise at the default number of rounds.
    pub fn total_seconds(&self) -> u32 {
        self.round_seconds() * u32::from(self.default_rounds())
    }

    /// "About 3 minutes": the whole exercise, rounded to whole minutes, at least one.
    pub fn duration_phrase(&self) -> String {
        let minutes = ((self.total_seconds() + 30) / 60).max(1);
        if minutes == 1 {
            "About 1 minute".to_string()
        } else {
            format!("About {minutes} minutes")
        }
    }
}

/// Every tool, in the order the toolkit shows them.
pub fn catalogue() -> impl Iterator<Item = &'static Tool> {
    ToolId::ALL.into_iter().map(ToolId::tool)
}

const fn step(cue: Cue, seconds: u16, text: &'static str) -> Step {
    Step { cue, seconds, text }
}

static BOX_BREATHING: Tool = Tool {
    id: ToolId::BoxBreathing,
    name: "Box breathing",
    summary: "Breathe in, hold, out and hold again, four counts each.",
    about: "Picture a box with four equal sides: breathe in for four, hold for four, breathe \
            out for four, hold for four. The even count gives a busy mind one simple thing to \
            follow, and the slower breathing tells your body it can stand down.",
    group: Group::Breathing,
    kind: Kind::Breathing { default_rounds: 6 },
    steps: &[
        step(Cue::In, 4, "Breathe in slowly through your nose."),
        step(Cue::Hold, 4, "Hold the breath gently, without straining."),
        step(Cue::Out, 4, "Breathe out slowly and completely."),
        step(Cue::Hold, 4, "Rest with your lungs empty."),
    ],
};

static BREATHING_478: Tool = Tool {
    id: ToolId::Breathing478,
    name: "4-7-8 breathing",
    summary: "In for four, hold for seven, a long slow breath out for eight.",
    about: "A long breath out is one of the quickest ways to settle the body. Breathe in \
            quietly through your nose for four, hold for seven, then let the air out through \
            your mouth for eight, as if through a straw. If holding feels uncomfortable, \
            shorten every count and keep the rhythm.",
    group: Group::Breathing,
    kind: Kind::Breathing { default_rounds: 4 },
    steps: &[
        step(Cue::In, 4, "Breathe in quietly through your nose."),
        step(Cue::Hold, 7, "Hold the breath, shoulders soft."),
        step(Cue::Out, 8, "Breathe out slowly through your mouth."),
    ],
};

static GROUNDING: Tool = Tool {
    id: ToolId::Grounding54321,
    name: "5-4-3-2-1 grounding",
    summary: "Use your five senses to come back to where you are.",
    about: "When thoughts spin or a feeling floods in, your senses can bring you back to the \
            room you are in. Name things slowly, out loud or silently. There are no wrong \
            answers: small, ordinary things work best.",
    group: Group::Grounding,
    kind: Kind::Guided,
    steps: &[
        step(
            Cue::Guide,
            10,
            "Pause where you are and take one slow breath.",
        ),
        step(
            Cue::Guide,
            45,
            "Look around and name five things you can see.",
        ),
        step(
            Cue::Guide,
            40,
            "Name four things you can feel: your feet on the floor, your clothes, the air on your skin.",
        ),
        step(
            Cue::Guide,
            30,
            "Listen, and name three things you can hear.",
        ),
        step(
            Cue::Guide,
            25,
            "Name two things you can smell, or two smells you like.",
        ),
        step(
            Cue::Guide,
            20,
            "Name one thing you can taste, or one kind thing you can say to yourself.",
        ),
        step(
            Cue::Guide,
            15,
            "Take another slow breath and notice where you are now.",
        ),
    ],
};

static SENSORY_RESET: Tool = Tool {
    id: ToolId::SensoryReset,
    name: "Sensory reset",
    summary: "Cold water on your wrists or a strong scent, to interrupt a wave of feeling.",
    about: "A strong, safe sensation can cut through a surge of panic or numbness for a moment \
            and give you room to breathe. Cold water on your wrists or face, or a sharp scent \
            such as peppermint or citrus, works for many people. Use what you have to hand and \
            keep it gentle.",
    group: Group::Grounding,
    kind: Kind::Guided,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Choose one: cold water, something cold wrapped in a cloth, or a strong scent you like.",
        ),
        step(
            Cue::Guide,
            40,
            "Run cold water over the inside of your wrists, or breathe the scent in slowly.",
        ),
        step(
            Cue::Guide,
            30,
            "Give it all your attention: where you feel it, and how strong it is.",
        ),
        step(
            Cue::Guide,
            30,
            "Keep breathing slowly while the sensation changes.",
        ),
        step(Cue::Guide, 20, "Let it fade, and notice how you feel now."),
    ],
};

static GUIDED_IMAGERY: Tool = Tool {
    id: ToolId::GuidedImagery,
    name: "A safe place",
    summary: "Guided imagery: picture a place where you feel calm and safe.",
    about: "Your imagination can offer rest when the world feels like too much. Picture a \
            place, real or made up, where you feel safe and at ease, and explore it with every \
            sense. If no picture comes, that is fine: resting your eyes and breathing slowly is \
            enough.",
    group: Group::Grounding,
    kind: Kind::Guided,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Get comfortable and let your breathing slow down.",
        ),
        step(
            Cue::Guide,
            30,
            "Bring to mind a place where you feel safe and at ease. It can be real or imagined.",
        ),
        step(
            Cue::Guide,
            30,
            "Look around it. What colours and shapes are there? What is the light like?",
        ),
        step(
            Cue::Guide,
            30,
            "Listen. What can you hear there, close by and far away?",
        ),
        step(
            Cue::Guide,
            30,
            "Notice what you feel: the warmth or coolness, the air, the ground beneath you.",
        ),
        step(Cue::Guide, 25, "Is there a scent? Breathe it in."),
        step(
            Cue::Guide,
            40,
            "Rest here for a while. This place is yours to come back to whenever you need it.",
        ),
        step(
            Cue::Guide,
            20,
            "When you are ready, notice the room around you again and open your eyes.",
        ),
    ],
};

static MUSCLE_RELAXATION: Tool = Tool {
    id: ToolId::ProgressiveMuscleRelaxation,
    name: "Progressive muscle relaxation",
    summary: "Tense and release one group of muscles at a time.",
    about: "Tension often sits in the body without our noticing. Squeezing a group of muscles \
            for a few seconds and then letting go makes the difference easy to feel, and the \
            letting go tends to spread. Tense firmly but never to the point of pain, and skip \
            any part that hurts.",
    group: Group::Body,
    kind: Kind::Guided,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Sit or lie somewhere comfortable. Close your eyes or rest your gaze on the floor.",
        ),
        step(Cue::Tense, 5, "Hands: make tight fists."),
        step(
            Cue::Release,
            15,
            "Let your hands go loose and notice the difference.",
        ),
        step(
            Cue::Tense,
            5,
            "Arms: bend your elbows and tighten your upper arms.",
        ),
        step(Cue::Release, 15, "Let your arms drop and soften."),
        step(Cue::Tense, 5, "Shoulders: lift them up towards your ears."),
        step(Cue::Release, 15, "Let your shoulders fall."),
        step(Cue::Tense, 5, "Face: scrunch up your eyes, nose and mouth."),
        step(Cue::Release, 15, "Let your face go smooth."),
        step(Cue::Tense, 5, "Stomach: pull your stomach muscles in."),
        step(
            Cue::Release,
            15,
            "Let your stomach go soft and your breathing ease.",
        ),
        step(
            Cue::Tense,
            5,
            "Legs: press your knees together and tighten your thighs.",
        ),
        step(Cue::Release, 15, "Let your legs go heavy."),
        step(Cue::Tense, 5, "Feet: curl your toes downwards."),
        step(Cue::Release, 15, "Let your toes uncurl and your feet rest."),
        step(
            Cue::Guide,
            30,
            "Rest a moment. Breathe slowly and feel your whole body loose and heavy.",
        ),
    ],
};

static BODY_SCAN: Tool = Tool {
    id: ToolId::BodyScan,
    name: "Body scan",
    summary: "Move your attention slowly from your feet to your head.",
    about: "A body scan is a way of paying kind attention to your body, one part at a time, \
            without trying to change anything. You may notice tension, warmth, tingling or \
            nothing at all; all of it is fine. When your mind wanders, as minds do, bring it \
            gently back.",
    group: Group::Body,
    kind: Kind::Guided,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Sit or lie down comfortably, and close your eyes if that feels right.",
        ),
        step(
            Cue::Guide,
            30,
            "Notice your feet: the toes, the soles, the heels.",
        ),
        step(Cue::Guide, 30, "Move up to your lower legs and knees."),
        step(
            Cue::Guide,
            30,
            "Notice your thighs and hips, and what they are resting on.",
        ),
        step(
            Cue::Guide,
            30,
            "Your belly and lower back. Feel them rise and fall with each breath.",
        ),
        step(Cue::Guide, 30, "Your chest, upper back and shoulders."),
        step(
            Cue::Guide,
            30,
            "Your arms and hands, all the way to your fingertips.",
        ),
        step(
            Cue::Guide,
            30,
            "Your neck, jaw and face. Let your jaw soften.",
        ),
        step(Cue::Guide, 30, "Now your whole body at once, breathing."),
        step(
            Cue::Guide,
            15,
            "Gently open your eyes and take in the room.",
        ),
    ],
};

static MOVEMENT_BREAK: Tool = Tool {
    id: ToolId::MovementBreak,
    name: "Movement break",
    summary: "A few minutes of gentle movement or a short walk.",
    about: "Feelings live in the body too. A short walk or a few easy stretches can loosen \
            tension and lift heaviness a little. Go gently and at your own pace; if you can get \
            outside, a few steps in fresh air count.",
    group: Group::Body,
    kind: Kind::Guided,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Stand up if you can, and let your arms hang loose.",
        ),
        step(
            Cue::Guide,
            30,
            "Roll your shoulders slowly backwards, then forwards.",
        ),
        step(
            Cue::Guide,
            30,
            "Reach both arms up high, then let them float down.",
        ),
        step(
            Cue::Guide,
            30,
            "Turn gently from side to side and let your arms swing.",
        ),
        step(
            Cue::Guide,
            120,
            "Walk: around the room, along the hall or outside. Notice each step.",
        ),
        step(Cue::Guide, 20, "Shake out your hands, then your feet."),
        step(
            Cue::Guide,
            20,
            "Stand still for a moment and notice your breathing.",
        ),
    ],
};

static PARK_IT: Tool = Tool {
    id: ToolId::ParkIt,
    name: "Park it for the session",
    summary: "Write down what is on your mind and put it away until your next session.",
    about: "After a session, thoughts can keep circling as if they had to be solved right now. \
            They don't. Writing a thought down and parking it lets you put it aside without \
            losing it: it goes on your agenda, so you and your therapist can pick it up \
            together.",
    group: Group::Writing,
    kind: Kind::Writing,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Notice the thought or feeling that keeps coming back.",
        ),
        step(
            Cue::Write,
            120,
            "Write it down in the box, in a few words or as many as you need.",
        ),
        step(
            Cue::Guide,
            15,
            "It is parked. It will wait on your agenda for your next session.",
        ),
        step(
            Cue::Guide,
            30,
            "Take three slow breaths and let your attention turn to something else.",
        ),
    ],
};

static TWO_GOOD_THINGS: Tool = Tool {
    id: ToolId::TwoGoodThings,
    name: "Two good things",
    summary: "Write down two good things from today, however small.",
    about: "Hard days can hide the good moments. Noticing two good things, even tiny ones like \
            a warm drink or a kind message, gently turns your attention towards what went right. \
            Writing them down helps them stay with you.",
    group: Group::Writing,
    kind: Kind::Writing,
    steps: &[
        step(
            Cue::Guide,
            20,
            "Think back over your day, from waking up until now.",
        ),
        step(Cue::Write, 60, "Write down one good thing, however small."),
        step(Cue::Write, 60, "Write down a second good thing."),
        step(
            Cue::Guide,
            40,
            "For each one, notice how it felt, or what helped it happen.",
        ),
    ],
};

static SELF_CARE: Tool = Tool {
    id: ToolId::SelfCare,
    name: "Self-care",
    summary: "Your own ways to look after yourself: a bath, a book, a funny video.",
    about: "You know best what comforts you. Keep a list of small things that help, so you \
            don't have to think of them when you are low. Pick one, do it without needing to \
            earn it, and notice how you feel afterwards.",
    group: Group::Mine,
    kind: Kind::List {
        list: ListKind::SelfCare,
    },
    steps: &[
        step(Cue::Choose, 30, "Pick one thing from your self-care list."),
        step(
            Cue::Guide,
            600,
            "Do it, for as long as it helps. Take your time.",
        ),
        step(Cue::Guide, 20, "Come back, and notice how you feel."),
    ],
};

static DISTRACTION: Tool = Tool {
    id: ToolId::Distraction,
    name: "Distraction",
    summary: "Things that take your mind elsewhere for a while: chores, games, plans.",
    about: "Sometimes the kindest thing is to give your mind a break from a feeling instead of \
            working through it. Chosen on purpose and for a while, distraction is a skill, not \
            avoidance. Keep a list of things that absorb you, such as a small chore, a game, or \
            planning something to look forward to.",
    group: Group::Mine,
    kind: Kind::List {
        list: ListKind::Distraction,
    },
    steps: &[
        step(
            Cue::Choose,
            30,
            "Pick one thing from your distraction list.",
        ),
        step(Cue::Guide, 600, "Give it your attention for a while."),
        step(Cue::Guide, 20, "Come back, and notice how you feel."),
    ],
};

// The thought record follows the columns of the record used in cognitive therapy (Beck,
// "Cognitive Therapy of Depression", 1979; the seven-column form in Greenberger & Padesky,
// "Mind Over Mood", 2nd ed., 2016). The steps are its parts; the seconds are a suggestion.
static THOUGHT_RECORD: Tool = Tool {
    id: ToolId::ThoughtRecord,
    name: "Untangle a thought",
    summary: "A thought record: look at a thought that hurt, and find a fairer one.",
    about: "When something stings, one thought often does most of the hurting, and it can \
            feel like plain fact. Writing down what happened, what you felt and what went \
            through your mind, then looking at what supports the thought and what doesn't, \
            often loosens its grip. You don't have to finish it or get it right: every step \
            can be skipped, and an unfinished record is kept as a draft.",
    group: Group::Thoughts,
    kind: Kind::Record,
    steps: &[
        step(
            Cue::Write,
            60,
            "What happened? Where were you, who was there?",
        ),
        step(
            Cue::Write,
            45,
            "What did you feel, and how strongly, from 0 to 100?",
        ),
        step(Cue::Write, 45, "Which thought hurt the most?"),
        step(Cue::Write, 60, "What supports that thought?"),
        step(Cue::Write, 60, "What doesn't support it?"),
        step(
            Cue::Choose,
            45,
            "Does it look like one of the common thinking traps?",
        ),
        step(Cue::Write, 60, "What is a more balanced way to see it?"),
        step(
            Cue::Write,
            30,
            "Rate the same feelings again, from 0 to 100.",
        ),
    ],
};

// The three movements follow the self-compassion break described by Kristin Neff
// ("Self-Compassion", 2011; self-compassion.org): mindfulness, common humanity, kindness.
// The words are ours.
static SELF_COMPASSION: Tool = Tool {
    id: ToolId::SelfCompassion,
    name: "Self-compassion break",
    summary: "Three gentle movements for when your inner voice is harsh.",
    about: "After a hard session or a hard day, the voice in our head can be the harshest one \
            around. This short break answers it in three movements: noticing that this is \
            hard, remembering that other people feel this too, and offering yourself the \
            kindness you would offer a friend. Go round once, or again if it helps. \
            Afterwards you can write one kind sentence to yourself and keep it.",
    group: Group::Thoughts,
    kind: Kind::Repeated { default_rounds: 1 },
    steps: &[
        step(
            Cue::Guide,
            20,
            "Sit comfortably. If it feels right, rest a hand on your chest or wherever is soothing.",
        ),
        step(
            Cue::Guide,
            30,
            "Bring to mind what is hard right now, without pushing it away and without adding to it.",
        ),
        step(
            Cue::Guide,
            30,
            "Notice it, and say to yourself, gently: this is a hard moment. This hurts.",
        ),
        step(
            Cue::Guide,
            35,
            "Remember that you are not the only one. Many people feel this way; it is part of being human, not a sign that something is wrong with you.",
        ),
        step(
            Cue::Guide,
            40,
            "Think of what you would say to a good friend feeling exactly this. Say it to yourself, in the same warm tone.",
        ),
        step(
            Cue::Guide,
            20,
            "Take a slow breath and let the words settle.",
        ),
    ],
};

// Sleep hygiene advice as commonly given (a regular bedtime, a wind-down without screens,
// a dim, quiet room): NHS, "How to get to sleep"; American Academy of Sleep Medicine,
// "Healthy sleep habits".
static BEDTIME_ROUTINE: Tool = Tool {
    id: ToolId::BedtimeRoutine,
    name: "Bedtime routine",
    summary: "Your own short wind-down for the evening, ticked off each night.",
    about: "Low mood and poor sleep feed each other, and a steady, gentle routine before bed \
            is one of the simplest ways to help sleep along. Build a short list of your own, \
            choose a time to start, and tick it off in the evening. After a couple of weeks, \
            Between shows how your sleep and mood looked on nights with and without it.",
    group: Group::Sleep,
    kind: Kind::Routine,
    steps: &[
        step(Cue::Guide, 60, "Put screens away and dim the lights."),
        step(
            Cue::Guide,
            300,
            "Something calm: a warm drink, a page of a book.",
        ),
        step(Cue::Guide, 60, "A round of slow breathing."),
        step(
            Cue::Guide,
            30,
            "Go to bed at about the same time as last night.",
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_stable_and_round_trip() {
        let codes: Vec<_> = ToolId::ALL.iter().map(|t| t.code()).collect();
        for code in [
            "box-breathing",
            "breathing-4-7-8",
            "progressive-muscle-relaxation",
            "grounding-5-4-3-2-1",
            "sensory-reset",
            "movement-break",
            "guided-imagery",
            "body-scan",
            "park-it",
            "two-good-things",
            "self-care",
            "distraction",
            "thought-record",
            "self-compassion",
            "bedtime-routine",
        ] {
            assert!(codes.contains(&code), "{code} missing");
            assert_eq!(ToolId::parse(code).map(ToolId::code), Some(code));
        }
        assert_eq!(codes.len(), 15);
        assert_eq!(ToolId::parse("4-7-8-breathing"), None);
        assert_eq!(
            serde_json::to_string(&ToolId::Breathing478).unwrap(),
            "\"breathing-4-7-8\""
        );
    }

    #[test]
    fn every_tool_is_complete_and_knows_its_id() {
        for id in ToolId::ALL {
            let t = id.tool();
            assert_eq!(t.id, id);
            assert!(!t.name.is_empty() && !t.summary.is_empty() && t.about.len() > 80);
            assert!(!t.steps.is_empty(), "{id} has no steps");
            assert!(t.steps.iter().all(|s| s.seconds > 0 && !s.text.is_empty()));
            assert!(t.total_seconds() >= 60, "{id} is shorter than a minute");
        }
    }

    #[test]
    fn breathing_patterns_are_the_named_counts() {
        let counts = |id: ToolId| -> Vec<(Cue, u16)> {
            id.tool().steps.iter().map(|s| (s.cue, s.seconds)).collect()
        };
        assert_eq!(
            counts(ToolId::BoxBreathing),
            [(Cue::In, 4), (Cue::Hold, 4), (Cue::Out, 4), (Cue::Hold, 4)]
        );
        assert_eq!(
            counts(ToolId::Breathing478),
            [(Cue::In, 4), (Cue::Hold, 7), (Cue::Out, 8)]
        );
        for t in catalogue() {
            if let Some(range) = t.rounds_range() {
                assert!(range.contains(&t.default_rounds()), "{}", t.id);
            }
        }
        assert_eq!(ToolId::BoxBreathing.tool().total_seconds(), 96);
        assert_eq!(
            ToolId::BoxBreathing.tool().duration_phrase(),
            "About 2 minutes"
        );
        assert_eq!(
            ToolId::Breathing478.tool().duration_phrase(),
            "About 1 minute"
        );
    }

    #[test]
    fn only_breathing_tools_use_breathing_cues() {
        for t in catalogue() {
            let breathing_cues = t
                .steps
                .iter()
                .all(|s| matches!(s.cue, Cue::In | Cue::Hold | Cue::Out));
            assert_eq!(t.is_breathing(), breathing_cues, "{}", t.id);
        }
    }
}
