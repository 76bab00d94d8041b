//! The authorization matrix: every route the router serves, asked by every kind of actor,
//! answers as one table says.
//!
//! The routes come from the router itself ([`web::route_paths`], and for each path the
//! methods in the `Allow` header of the 405 that answers a method it lacks), so a route
//! added without a line in [`table`] fails this test, and so does a line whose route is
//! gone. Each path's parameters are filled with real ids of the owner's data (an account
//! holding one of everything), so another account asks for ids that exist but are not its
//! own. State-changing requests carry their form token (pages) or bearer token (API), so an
//! answer reflects who asked, not a missing token. Requests that destroy something (a
//! delete, signing out, a password change) run last, each on a world of its own.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::time::Instant;

use axum::body::Body;
use axum::http::{Method, Request, StatusCode, header};
use domain::account::Role;
use domain::sharing::Scope;
use serde_json::Value;
use support::lifecycle::{PASSWORD, Site};
use support::{Reply, TestApp, hidden};

// ---------------------------------------------------------------------------------------
// Actors
// ---------------------------------------------------------------------------------------

/// Who asks. The order is the order of a profile's columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    /// Nobody signed in (but holding the sign-in form's cookie, as a browser would).
    Anonymous,
    /// The client whose data the ids in the paths are.
    Owner,
    /// Another client, with an account of their own.
    OtherClient,
    /// A therapist the owner shares with, with the scope the route needs.
    TherapistWithScope,
    /// A therapist the owner shares with, without that scope.
    TherapistWithoutScope,
    /// A therapist whose grant the owner revoked.
    RevokedTherapist,
    /// The installation's operator.
    Admin,
}

const ACTORS: [Actor; 7] = [
    Actor::Anonymous,
    Actor::Owner,
    Actor::OtherClient,
    Actor::TherapistWithScope,
    Actor::TherapistWithoutScope,
    Actor::RevokedTherapist,
    Actor::Admin,
];

/// The order requests are sent in: the owner last, so a destructive request of the owner's
/// never runs before the others have asked for what it destroys.
const SENDING_ORDER: [Actor; 7] = [
    Actor::Anonymous,
    Actor::OtherClient,
    Actor::TherapistWithScope,
    Actor::TherapistWithoutScope,
    Actor::RevokedTherapist,
    Actor::Admin,
    Actor::Owner,
];

impl Actor {
    fn column(self) -> usize {
        ACTORS.iter().position(|a| *a == self).unwrap()
    }

    fn name(self) -> &'static str {
        match self {
            Actor::Anonymous => "anonymous",
            Actor::Owner => "owner",
            Actor::OtherClient => "other client",
            Actor::TherapistWithScope => "therapist with scope",
            Actor::TherapistWithoutScope => "therapist without scope",
            Actor::RevokedTherapist => "revoked therapist",
            Actor::Admin => "admin",
        }
    }

    /// Letters only, for email addresses and token names.
    fn tag(self) -> &'static str {
        match self {
            Actor::Anonymous => "anon",
            Actor::Owner => "owner",
            Actor::OtherClient => "other",
            Actor::TherapistWithScope => "tscoped",
            Actor::TherapistWithoutScope => "tunscoped",
            Actor::RevokedTherapist => "trevoked",
            Actor::Admin => "admin",
        }
    }
}

// ---------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------

/// What one actor must get from one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    /// Exactly this status; an API answer of 400 or more must also be a JSON error body.
    Status(u16),
    /// Exactly this status with a JSON error body of exactly this code (API only).
    Error(u16, &'static str),
    /// 303 to the sign-in page.
    SignIn,
    /// 303 to exactly this address, or to it with a query when it has none.
    To(&'static str),
    /// 303 anywhere but the sign-in page: a form that was accepted.
    Saved,
}

use Expect::{Error, Saved, SignIn, Status};

const OK: Expect = Status(200);
const CREATED: Expect = Status(201);
const NO_CONTENT: Expect = Status(204);
const NOT_FOUND: Expect = Status(404);
const UNAUTHENTICATED: Expect = Status(401);
const UNPROCESSABLE: Expect = Status(422);
/// A page refusing this account (a client on a therapist's page, or the reverse).
const FORBIDDEN_PAGE: Expect = Status(403);
/// The API's refusal of an account whose role may not use the route at all; it comes before
/// any lookup, so it says nothing about whether the id exists.
const FORBIDDEN: Expect = Error(403, "forbidden");
/// The API's answer to a therapist whose client keeps the route's scope to themselves.
const NOT_SHARED: Expect = Error(403, "not_shared");
/// A therapist page's answer for a scope the client keeps to themselves.
const NOT_SHARED_PAGE: Expect = Status(403);
/// Where signing out leads.
const SIGNED_OUT: Expect = Expect::To("/signin?signed_out=1");

/// One expectation per actor, in the order of [`ACTORS`].
type Profile = [Expect; 7];

/// How the three therapist accounts are answered on client-only pages: sent to their
/// caseload (a therapist's account keeps no log of its own). `None` would mean "like any
/// other account".
const THERAPIST_ON_CLIENT_PAGES: Option<Expect> = Some(Expect::To("/therapist"));

/// How the three therapist accounts are answered on client-only API routes: refused before
/// the route reads anything. `None` would mean "like any other account".
const THERAPIST_ON_CLIENT_API: Option<Expect> = Some(Error(403, "clients_only"));

/// A client-only route: anonymous, the owner, and every other account (another client,
/// the admin, and the therapists unless [`THERAPIST_ON_CLIENT_PAGES`] or
/// [`THERAPIST_ON_CLIENT_API`] says otherwise).
fn client_only(api: bool, anonymous: Expect, owner: Expect, others: Expect) -> Profile {
    let therapist = if api {
        THERAPIST_ON_CLIENT_API
    } else {
        THERAPIST_ON_CLIENT_PAGES
    }
    .unwrap_or(others);
    [
        anonymous, owner, others, therapist, therapist, therapist, others,
    ]
}

/// Open to everyone, signed in or not.
fn public() -> Profile {
    [OK; 7]
}

/// A route every account uses alike, therapists' too (help, settings about the account
/// itself, its devices and tokens, its data): anonymous, the owner, every other account.
fn any_account(anonymous: Expect, owner: Expect, others: Expect) -> Profile {
    [anonymous, owner, others, others, others, others, others]
}

/// A page of the signed-in account's own, for every account (therapists' too).
fn account_page() -> Profile {
    any_account(SignIn, OK, OK)
}

/// A form changing the signed-in account itself, for every account (therapists' too).
fn account_form() -> Profile {
    any_account(SignIn, Saved, Saved)
}

/// An account route every account uses, where the three therapists (who have two-step
/// sign-in on, as a therapist must before any client's data) are answered `therapists`.
fn any_account_but_therapists(
    anonymous: Expect,
    owner: Expect,
    others: Expect,
    therapists: Expect,
) -> Profile {
    [
        anonymous, owner, others, therapists, therapists, therapists, others,
    ]
}

/// A therapist's route: anonymous is sent to sign in (401 on the API), the three
/// therapists get what the table says, and every account that is not a therapist's (the
/// owner, another client, the admin) is refused by role before anything is looked up.
fn therapists(api: bool, scoped: Expect, unscoped: Expect, revoked: Expect) -> Profile {
    let (anonymous, refused) = if api {
        (UNAUTHENTICATED, FORBIDDEN)
    } else {
        (SignIn, FORBIDDEN_PAGE)
    };
    [
        anonymous, refused, refused, scoped, unscoped, revoked, refused,
    ]
}

/// A therapist's read or action about the owner under a scope: 200 (or `ok`) with the
/// scope, refused without it, 404 for the revoked grant (no hint it ever was).
fn scoped_api(ok: Expect) -> Profile {
    therapists(true, ok, NOT_SHARED, NOT_FOUND)
}

/// The page form of [`scoped_api`].
fn scoped_page(ok: Expect) -> Profile {
    therapists(false, ok, NOT_SHARED_PAGE, NOT_FOUND)
}

/// Sign-in and sign-up: for anyone signed out; a signed-in account is sent home.
fn signed_out_page() -> Profile {
    let home = Expect::To("/");
    [OK, home, home, home, home, home, home]
}

/// A page of the signed-in account's own data, with no id in its path: every account
/// sees its own.
fn own_page() -> Profile {
    client_only(false, SignIn, OK, OK)
}

/// A form that changes the signed-in account's own data, with no id in its path.
fn own_form() -> Profile {
    client_only(false, SignIn, Saved, Saved)
}

/// A form answered with a page rather than a redirect (a search), for any account.
fn own_form_page(status: Expect) -> Profile {
    client_only(false, SignIn, status, status)
}

/// A page about one of the owner's items: nobody else learns whether it exists.
fn item_page() -> Profile {
    client_only(false, SignIn, OK, NOT_FOUND)
}

/// A form that changes one of the owner's items.
fn item_form() -> Profile {
    client_only(false, SignIn, Saved, NOT_FOUND)
}

/// An API route over the caller's own data, with no id in its path.
fn own_api(status: Expect) -> Profile {
    client_only(true, UNAUTHENTICATED, status, status)
}

/// An API route about one of the owner's items.
fn item_api(status: Expect) -> Profile {
    client_only(true, UNAUTHENTICATED, status, NOT_FOUND)
}

// ---------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------

/// What a request carries besides its token.
#[derive(Debug, Clone, Copy)]
enum Payload {
    None,
    /// Form fields after `csrf=…&` (placeholders in `{}` are filled per request).
    Form(&'static str),
    /// A JSON body.
    Json(&'static str),
    /// A multipart upload: the `csrf` field and a `file` holding this.
    Upload(&'static str),
}

/// One route of the table.
#[derive(Debug, Clone)]
struct Row {
    method: Method,
    path: &'static str,
    profile: Profile,
    payload: Payload,
    /// Destroys something (an item, a session, an account): runs on a world of its own.
    destroys: bool,
    /// A signed-out form (sign-in, sign-up): its token is the form cookie's, not a
    /// session's.
    signed_out_form: bool,
    /// The scope a therapist needs here: before the row runs, the owner shares every scope
    /// but this one with the therapist without it.
    needs: Option<Scope>,
}

impl Row {
    fn new(method: Method, path: &'static str, profile: Profile) -> Row {
        Row {
            method,
            path,
            profile,
            payload: Payload::None,
            destroys: false,
            signed_out_form: false,
            needs: None,
        }
    }
    fn form(mut self, fields: &'static str) -> Row {
        self.payload = Payload::Form(fields);
        self
    }
    fn json(mut self, body: &'static str) -> Row {
        self.payload = Payload::Json(body);
        self
    }
    fn upload(mut self, file: &'static str) -> Row {
        self.payload = Payload::Upload(file);
        self
    }
    fn destroys(mut self) -> Row {
        self.destroys = true;
        self
    }
    fn signed_out_form(mut self) -> Row {
        self.signed_out_form = true;
        self
    }
    fn needs(mut self, scope: Scope) -> Row {
        self.needs = Some(scope);
        self
    }
}

fn get(path: &'static str, profile: Profile) -> Row {
    Row::new(Method::GET, path, profile)
}
fn post(path: &'static str, profile: Profile) -> Row {
    Row::new(Method::POST, path, profile).form("")
}
fn put(path: &'static str, profile: Profile) -> Row {
    Row::new(Method::PUT, path, profile)
}
fn patch(path: &'static str, profile: Profile) -> Row {
    Row::new(Method::PATCH, path, profile)
}
fn delete(path: &'static str, profile: Profile) -> Row {
    Row::new(Method::DELETE, path, profile).destroys()
}

/// Every (method, path) the router serves, and what each actor must get. Placeholders in
/// bodies: `{uuid}` a new UUID, `{now}` the time now, `{soon}` and `{soon_at}` a date and a
/// time three days ahead, `{actor}` the asking actor's tag, `{password}` every account's
/// password.
fn table() -> Vec<Row> {
    vec![
        // Signed out: home, sign-up, sign-in.
        get("/", own_page()),
        get("/signup", signed_out_page()),
        // A new account, whoever was signed in before.
        post("/signup", [Expect::To("/?welcome=1"); 7])
            .form("email={actor}.new%40example.org&password=a+long+enough+password&country=GB&usual_mood=7&timezone=Europe%2FLondon")
            .signed_out_form(),
        get("/signin", signed_out_page()),
        // The sign-in's second step, with no sign-in waiting for a code: back to signing in,
        // whoever asks.
        get("/signin/code", [Expect::To("/signin?again=1"); 7]),
        post("/signin/code", [Expect::To("/signin?again=1"); 7])
            .form("code=000000")
            .signed_out_form(),
        // An address with no account: the same refusal for everyone. One address per actor
        // keeps the per-address failure limit out of the way.
        post("/signin", [UNAUTHENTICATED; 7])
            .form("email={actor}.nobody%40example.org&password=not+the+password")
            .signed_out_form(),
        post(
            "/signout",
            any_account(SignIn, SIGNED_OUT, SIGNED_OUT),
        )
        .destroys(),
        // Check-ins.
        get("/checkin", own_page()),
        post("/checkin", own_form()).form("client_id={uuid}&mood=5&self_harm_thoughts=no"),
        get("/checkin/{id}", item_page()),
        // With a note still, so the check-in can become an agenda topic below.
        post("/checkin/{id}", item_form())
            .form("client_id={uuid}&mood=6&self_harm_thoughts=no&note=a+long+day"),
        get("/history", own_page()),
        get("/help", public()),
        get("/more", own_page()),
        // Sessions.
        get("/sessions", own_page()),
        post("/sessions", own_form()).form("client_id={uuid}&date={soon}&time=10%3A00&repeat=once"),
        get("/sessions/{id}/remove", item_page()),
        post("/sessions/{id}/delete", item_form()).destroys(),
        get("/sessions/{id}/reflect", item_page()),
        post("/sessions/{id}/reflect", item_form()).form("client_id={uuid}&session_feeling=4"),
        // Agenda.
        get("/agenda", own_page()),
        post("/agenda", own_form()).form("client_id={uuid}&text=a+topic"),
        post("/agenda/{id}/discussed", item_form()),
        post("/agenda/{id}/move", item_form()).form("direction=down"),
        post("/agenda/{id}/remove", item_form()).destroys(),
        post("/agenda/from-checkin/{id}", item_form()),
        // Journal.
        get("/journal", own_page()),
        post("/journal", own_form()).form("client_id={uuid}&text=a+walk"),
        post("/journal/search", own_form_page(OK)).form("q=walk"),
        get("/journal/{id}/edit", item_page()),
        post("/journal/{id}/edit", item_form()).form("text=a+longer+walk"),
        post("/journal/{id}/flag", item_form()).form("flag=parked&on=1"),
        get("/journal/{id}/delete", item_page()),
        post("/journal/{id}/delete", item_form()).destroys(),
        // Homework.
        get("/homework", own_page()),
        post("/homework", own_form()).form("client_id={uuid}&text=a+walk&frequency=daily"),
        post("/homework/{id}/done", item_form()).form("client_id={uuid}&note=done"),
        post("/homework/{id}/finish", item_form()).form("on=1"),
        post("/homework/{id}/remove", item_form()).destroys(),
        // Feedback for the therapist.
        get("/feedback", own_page()),
        post("/feedback", own_form()).form("client_id={uuid}&kind=helped&text=the+breathing"),
        post("/feedback/{id}/delete", item_form()).destroys(),
        get("/brief", own_page()),
        get("/contact", own_page()),
        // Toolkit.
        get("/toolkit", own_page()),
        get("/toolkit/lists", own_page()),
        post("/toolkit/lists/{kind}", own_form()).form("text=a+bath"),
        post("/toolkit/lists/items/{id}", item_form()).form("action=down"),
        get("/toolkit/bedtime-routine", own_page()),
        post("/toolkit/bedtime-routine", own_form()).form("ticked=0"),
        get("/toolkit/bedtime-routine/edit", own_page()),
        post("/toolkit/bedtime-routine/edit", own_form())
            .form("suggested=Dim+the+lights&target_time=22%3A30"),
        get("/toolkit/thought-record", own_page()),
        post("/toolkit/thought-record/search", own_form_page(OK)).form("q=bus"),
        get("/toolkit/thought-record/new", own_page()),
        post("/toolkit/thought-record/new", own_form())
            .form("client_id={uuid}&situation=the+train&action=draft"),
        get("/toolkit/thought-record/{id}", item_page()),
        get("/toolkit/thought-record/{id}/edit", item_page()),
        post("/toolkit/thought-record/{id}/edit", item_form())
            .form("situation=the+bus+again&action=draft"),
        post("/toolkit/thought-record/{id}/bring", item_form()),
        get("/toolkit/thought-record/{id}/delete", item_page()),
        post("/toolkit/thought-record/{id}/delete", item_form()).destroys(),
        get("/toolkit/{id}", own_page()),
        post("/toolkit/{id}", own_form())
            .form("client_id={uuid}&started_at={now}&distress_before=7&distress_after=4"),
        // Questionnaires.
        get("/questionnaires", own_page()),
        get("/questionnaires/{code}", own_page()),
        post("/questionnaires/{code}", own_form()).form(
            "client_id={uuid}&item1=1&item2=1&item3=0&item4=0&item5=1&item6=0&item7=0&item8=0&item9=0&difficulty=somewhat_difficult",
        ),
        get("/questionnaires/results/{id}", item_page()),
        // Settings and the account: every account's, therapists' too.
        get("/settings", account_page()),
        post("/settings", account_form())
            .form("country=GB&timezone=Europe%2FLondon&usual_mood=7"),
        // A therapist's name as clients see it; a client's post is sent back to Settings.
        post("/settings/name", account_form()).form("display_name=Dr+{actor}"),
        get("/settings/account", account_page()),
        post("/settings/account/password", account_form())
            .form("current_password={password}&new_password=another+long+enough+password")
            .destroys(),
        post("/settings/account/devices/sign-out-others", account_form()).destroys(),
        post(
            "/settings/account/devices/{id}/sign-out",
            any_account(SignIn, Saved, NOT_FOUND),
        )
        .destroys(),
        // Two-step sign-in, every account's own. Only the therapists have it on: a code
        // typed before one was ever asked for, or a wrong proof, is refused the same for
        // every other account; a therapist, who has it on already, is shown that it is on,
        // and may not turn it off.
        get("/settings/account/two-step", account_page()),
        post(
            "/settings/account/two-step",
            any_account_but_therapists(
                SignIn,
                UNPROCESSABLE,
                UNPROCESSABLE,
                Expect::To("/settings/account/two-step?done=on"),
            ),
        )
        .form("code=000000"),
        post(
            "/settings/account/two-step/recovery-codes",
            any_account(SignIn, UNPROCESSABLE, UNPROCESSABLE),
        )
        .form("proof=not+the+password"),
        post(
            "/settings/account/two-step/off",
            any_account_but_therapists(SignIn, UNPROCESSABLE, UNPROCESSABLE, FORBIDDEN_PAGE),
        )
        .form("proof=not+the+password"),
        get("/settings/tokens", account_page()),
        // The new token's secret, shown once (a therapist could make one only after turning
        // on two-step sign-in, see tests/two_step.rs).
        post("/settings/tokens", any_account(SignIn, CREATED, CREATED))
            .form("name=matrix+{actor}&expires=30"),
        get(
            "/settings/tokens/{id}/revoke",
            any_account(SignIn, OK, NOT_FOUND),
        ),
        post(
            "/settings/tokens/{id}/revoke",
            any_account(SignIn, Saved, NOT_FOUND),
        )
        .destroys(),
        get("/settings/data", account_page()),
        // An empty document is not an export, whoever sends it.
        Row::new(
            Method::POST,
            "/settings/data/import",
            any_account(SignIn, UNPROCESSABLE, UNPROCESSABLE),
        )
        .upload("{}"),
        // Sharing, the client's side: therapists are sent to their caseload. The admin is
        // an account like a client's and may share too.
        get("/settings/sharing", own_page()),
        post("/settings/sharing/invites", own_form_page(CREATED))
            .form("scopes=checkins&scopes=plans&display_name=Matrix+{actor}"),
        // The owner's pending invite.
        post("/settings/sharing/invites/{handle}/cancel", item_form()),
        // The scoped therapist's grant, shared as it already is.
        post("/settings/sharing/{id}", item_form()).form(
            "scopes=checkins&scopes=questionnaires&scopes=session_prep&scopes=plans&display_name=Matrix",
        ),
        get("/settings/sharing/{id}/stop", item_page()),
        post("/settings/sharing/{id}/stop", item_form()).destroys(),
        // The therapist's side: joining with a code (a new one from another client for each
        // request), the caseload, a client's page and what a therapist may change.
        get("/therapist/join", therapists(false, OK, OK, OK)),
        post("/therapist/join", therapists(false, Saved, Saved, Saved)).form("code={code}"),
        get("/therapist", therapists(false, OK, OK, OK)),
        // Every section the client shares, so no scope is needed to open it.
        get("/therapist/clients/{id}", therapists(false, OK, OK, NOT_FOUND)),
        get("/therapist/clients/{id}/homework", scoped_page(OK)).needs(Scope::SessionPrep),
        post("/therapist/clients/{id}/homework", scoped_page(Saved))
            .form("client_id={uuid}&text=a+walk&due_on={soon}&frequency=daily")
            .needs(Scope::SessionPrep),
        get("/therapist/clients/{id}/sensitivity", scoped_page(OK)).needs(Scope::Checkins),
        post("/therapist/clients/{id}/sensitivity", scoped_page(Saved))
            .form("low_points=2.5&persisting_min_rated_days=3")
            .needs(Scope::Checkins),
        // Plans.
        get("/safety-plan", own_page()),
        post("/safety-plan", own_form())
            .form("warning_signs=not+sleeping&on_my_own=a+shower&reasons_for_living=my+cat"),
        get("/safety-plan/edit", own_page()),
        post("/safety-plan/offline", own_form()).form("keep=1"),
        get("/safety-plan/history", own_page()),
        get("/safety-plan/history/{version}", item_page()),
        post("/safety-plan/history/{version}/restore", item_form()),
        get("/backsliding-plan", own_page()),
        post("/backsliding-plan", own_form()).form("warning_signs=skipping+meals&goal=keep+going"),
        get("/backsliding-plan/edit", own_page()),
        get("/backsliding-plan/history", own_page()),
        get("/backsliding-plan/history/{version}", item_page()),
        post("/backsliding-plan/history/{version}/restore", item_form()),
        // Account lifecycle.
        get("/welcome", own_page()),
        post("/welcome", own_form()).form("country=GB&timezone=Europe%2FLondon&usual_mood=7"),
        post("/help/country", account_form()).form("country=GB"),
        get("/settings/delete", account_page()),
        post("/settings/delete", account_form())
            .form("password={password}&confirm=yes")
            .destroys(),
        get("/goodbye", public()),
        // Offline support and assets.
        get("/offline", public()),
        get("/sw.js", public()),
        get("/manifest.webmanifest", public()),
        get("/healthz", public()),
        get("/static/{file}", public()),
        // The JSON API.
        get("/api/v1/checkins", own_api(OK)),
        Row::new(Method::POST, "/api/v1/checkins", own_api(CREATED))
            .json(r#"{"client_id":"{uuid}","at":"{now}","mood":5}"#),
        get("/api/v1/sessions", own_api(OK)),
        Row::new(Method::POST, "/api/v1/sessions", own_api(CREATED))
            .json(r#"{"client_id":"{uuid}","at":"{soon_at}"}"#),
        get("/api/v1/guidance", own_api(OK)),
        get("/api/v1/journal", own_api(OK)),
        Row::new(Method::POST, "/api/v1/journal", own_api(CREATED))
            .json(r#"{"client_id":"{uuid}","text":"a walk"}"#),
        Row::new(Method::POST, "/api/v1/journal/search", own_api(OK)).json(r#"{"q":"walk"}"#),
        get("/api/v1/journal/{id}", item_api(OK)),
        patch("/api/v1/journal/{id}", item_api(OK)).json(r#"{"text":"a longer walk"}"#),
        delete("/api/v1/journal/{id}", item_api(NO_CONTENT)),
        get("/api/v1/agenda", own_api(OK)),
        Row::new(Method::POST, "/api/v1/agenda", own_api(CREATED))
            .json(r#"{"client_id":"{uuid}","text":"a topic"}"#),
        patch("/api/v1/agenda/{id}", item_api(OK)).json(r#"{"discussed":false}"#),
        delete("/api/v1/agenda/{id}", item_api(NO_CONTENT)),
        get("/api/v1/homework", own_api(OK)),
        Row::new(Method::POST, "/api/v1/homework", own_api(CREATED))
            .json(r#"{"client_id":"{uuid}","text":"a walk","frequency":"daily"}"#),
        patch("/api/v1/homework/{id}", item_api(OK)).json(r#"{"text":"a longer walk"}"#),
        delete("/api/v1/homework/{id}", item_api(NO_CONTENT)),
        Row::new(Method::POST, "/api/v1/homework/{id}/log", item_api(CREATED))
            .json(r#"{"client_id":"{uuid}","note":"done"}"#),
        get("/api/v1/coping-uses", own_api(OK)),
        Row::new(Method::POST, "/api/v1/coping-uses", own_api(CREATED)).json(
            r#"{"client_id":"{uuid}","tool":"box-breathing","started_at":"{now}","distress_before":7,"distress_after":4}"#,
        ),
        get("/api/v1/coping-tools", own_api(OK)),
        get("/api/v1/bedtime-routine", own_api(OK)),
        put("/api/v1/bedtime-routine", own_api(OK))
            .json(r#"{"items":["Dim the lights"],"target_time":"22:30"}"#),
        // The owner's night is logged already (by the seed), so it is updated: 200.
        Row::new(
            Method::POST,
            "/api/v1/bedtime-routine/nights",
            client_only(true, UNAUTHENTICATED, OK, CREATED),
        )
            .json(r#"{"ticked":[0]}"#),
        get("/api/v1/bedtime-routine/comparison", own_api(OK)),
        get("/api/v1/questionnaires", own_api(OK)),
        Row::new(Method::POST, "/api/v1/questionnaires", own_api(CREATED)).json(
            r#"{"client_id":"{uuid}","instrument":"gad7","answers":[1,1,0,1,0,1,0]}"#,
        ),
        // The account itself and its data: every account's, therapists' too.
        get("/api/v1/account/sessions", any_account(UNAUTHENTICATED, OK, OK)),
        delete(
            "/api/v1/account/sessions/{id}",
            any_account(UNAUTHENTICATED, NO_CONTENT, NOT_FOUND),
        ),
        get("/api/v1/account/tokens", any_account(UNAUTHENTICATED, OK, OK)),
        delete(
            "/api/v1/account/tokens/{id}",
            any_account(UNAUTHENTICATED, NO_CONTENT, NOT_FOUND),
        ),
        delete(
            "/api/v1/account",
            any_account(UNAUTHENTICATED, NO_CONTENT, NO_CONTENT),
        )
        .json(r#"{"password":"{password}"}"#),
        get("/api/v1/export", any_account(UNAUTHENTICATED, OK, OK)),
        get("/api/v1/export/checkins.csv", any_account(UNAUTHENTICATED, OK, OK)),
        get("/api/v1/thought-records", own_api(OK)),
        Row::new(Method::POST, "/api/v1/thought-records", own_api(CREATED))
            .json(r#"{"client_id":"{uuid}","situation":"the train","status":"draft"}"#),
        Row::new(Method::POST, "/api/v1/thought-records/search", own_api(OK))
            .json(r#"{"q":"bus"}"#),
        get("/api/v1/thought-records/{id}", item_api(OK)),
        patch("/api/v1/thought-records/{id}", item_api(OK))
            .json(r#"{"situation":"the bus again"}"#),
        delete("/api/v1/thought-records/{id}", item_api(NO_CONTENT)),
        // An empty document is not an export, whoever sends it.
        Row::new(Method::POST, "/api/v1/import", own_api(UNPROCESSABLE))
        .json("{}"),
        // Sharing, the client's side: therapists are refused (clients_only). The admin is an
        // account like a client's and may share too.
        Row::new(Method::POST, "/api/v1/sharing/invites", own_api(CREATED))
            .json(r#"{"scopes":["checkins","plans"]}"#),
        get("/api/v1/sharing", own_api(OK)),
        get("/api/v1/sharing/audit", own_api(OK)),
        // The scoped therapist's grant, shared as it already is.
        patch("/api/v1/sharing/{id}", item_api(OK))
            .json(r#"{"scopes":["checkins","questionnaires","session_prep","plans"]}"#),
        delete("/api/v1/sharing/{id}", item_api(NO_CONTENT)),
        // The therapist's side: joining with a code (a new one from another client for each
        // request), the caseload, a client's data by scope, and what a therapist may change.
        // `{id}` is the asking therapist's own grant (the scoped one's for everyone else).
        Row::new(
            Method::POST,
            "/api/v1/therapist/clients",
            therapists(true, CREATED, CREATED, CREATED),
        )
        .json(r#"{"code":"{code}"}"#),
        get("/api/v1/therapist/clients", therapists(true, OK, OK, OK)),
        get("/api/v1/therapist/clients/{id}/checkins", scoped_api(OK)).needs(Scope::Checkins),
        get("/api/v1/therapist/clients/{id}/guidance", scoped_api(OK)).needs(Scope::Checkins),
        get("/api/v1/therapist/clients/{id}/questionnaires", scoped_api(OK))
            .needs(Scope::Questionnaires),
        get("/api/v1/therapist/clients/{id}/session-prep", scoped_api(OK))
            .needs(Scope::SessionPrep),
        get("/api/v1/therapist/clients/{id}/plans", scoped_api(OK)).needs(Scope::Plans),
        Row::new(
            Method::POST,
            "/api/v1/therapist/clients/{id}/homework",
            scoped_api(CREATED),
        )
        .json(r#"{"client_id":"{uuid}","text":"a walk","frequency":"daily"}"#)
        .needs(Scope::SessionPrep),
        get("/api/v1/therapist/clients/{id}/sensitivity", scoped_api(OK)).needs(Scope::Checkins),
        put("/api/v1/therapist/clients/{id}/sensitivity", scoped_api(OK))
            .json(r#"{"low_points":2.5,"persisting_min_rated_days":3}"#)
            .needs(Scope::Checkins),
    ]
}

// ---------------------------------------------------------------------------------------
// The world: an owner with one of everything, and the other actors
// ---------------------------------------------------------------------------------------

/// How one actor's requests are sent.
struct Credentials {
    /// The `Cookie` header: the session (when signed in) and the sign-in form's cookie.
    cookie: String,
    /// The form token of the actor's session (or of the sign-in form, signed out).
    csrf: String,
    /// An API token (none for the anonymous actor).
    bearer: Option<String>,
}

/// One owner with one of everything, and an account for every other actor.
struct World {
    actors: Vec<Credentials>,
    /// The sign-in form's token, for the signed-out forms.
    form_csrf: String,
    /// What fills a path's `{parameter}`, by the path's text before it.
    ids: BTreeMap<&'static str, String>,
    /// Each therapist's grant id, by actor column: what fills `{id}` in a therapist's
    /// route when that therapist asks (everyone else asks for the scoped therapist's).
    grants: [Option<String>; 7],
    /// The owner's API token, for sharing scopes before a row.
    owner_bearer: String,
    /// The API token of another client, who makes the codes the join rows use (joining the
    /// owner again would give the revoked therapist a live grant back).
    inviter_bearer: String,
}

/// Route prefixes whose `{id}` is a therapist's grant id.
const THERAPIST_CLIENT_PREFIXES: [&str; 2] = ["/therapist/clients/", "/api/v1/therapist/clients/"];

/// Every scope, as the API names them.
const ALL_SCOPES: &str = r#"["checkins","questionnaires","session_prep","plans"]"#;

/// Sends one API request with a bearer token, and an optional JSON body.
async fn api_call(
    t: &TestApp,
    method: Method,
    path: &str,
    bearer: &str,
    json: Option<String>,
) -> Reply {
    let b = Request::builder()
        .method(method)
        .uri(path)
        .header(header::AUTHORIZATION, format!("Bearer {bearer}"));
    let req = match json {
        Some(json) => b
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(json)),
        None => b.body(Body::empty()),
    };
    t.send(req.unwrap()).await
}

/// A new invite code from the client holding `bearer`, sharing `scopes` (a JSON list).
async fn invite_code(t: &TestApp, bearer: &str, scopes: &str) -> String {
    let r = api_call(
        t,
        Method::POST,
        "/api/v1/sharing/invites",
        bearer,
        Some(format!(r#"{{"scopes":{scopes}}}"#)),
    )
    .await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.json()["code"].as_str().unwrap().to_string()
}

/// Makes the account behind one actor (every one but the anonymous and the owner) and
/// signs it in. Therapist accounts are made by the operator, as an installation makes
/// them, and turn two-step sign-in on; then the owner (whose API token is `owner_bearer`) invites each of them through the
/// API and they join with the code: the therapist with the scope is shared every scope; the
/// one without it one scope to begin with (each row needing a scope first shares every
/// scope but that one, see [`World::share_all_but`]); the revoked one every scope, and the
/// owner then revokes the grant. The therapist's grant id comes back with its credentials.
async fn set_up_actor(
    site: &Site,
    prefix: &str,
    actor: Actor,
    owner_bearer: &str,
) -> (Credentials, Option<String>) {
    let email = format!("{prefix}.{}@example.org", actor.tag());
    let role = match actor {
        Actor::Anonymous | Actor::Owner => unreachable!("made elsewhere"),
        Actor::OtherClient => Role::Client,
        Actor::TherapistWithScope | Actor::TherapistWithoutScope | Actor::RevokedTherapist => {
            Role::Therapist
        }
        Actor::Admin => Role::Admin,
    };
    site.app
        .add_user(app::NewUser {
            email: email.clone(),
            password: PASSWORD.into(),
            role,
            country: Some("GB".into()),
            timezone: Some("Europe/London".into()),
        })
        .await
        .unwrap();
    let (_, cookie) = site.signed_in(&email).await;
    if role == Role::Therapist {
        // As every therapist must before any client's data is shown.
        support::two_step::enrol(&site.t, &cookie).await;
    }
    let c = credentials(site, &email, cookie).await;
    let scopes = match actor {
        Actor::TherapistWithScope | Actor::RevokedTherapist => ALL_SCOPES,
        Actor::TherapistWithoutScope => r#"["plans"]"#,
        _ => return (c, None),
    };
    let t = &site.t;
    let code = invite_code(t, owner_bearer, scopes).await;
    let joined = api_call(
        t,
        Method::POST,
        "/api/v1/therapist/clients",
        c.bearer.as_deref().unwrap(),
        Some(format!(r#"{{"code":"{code}"}}"#)),
    )
    .await;
    assert_eq!(joined.status, StatusCode::CREATED, "{}", joined.body);
    let grant = match &joined.json()["client"]["id"] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if actor == Actor::RevokedTherapist {
        let revoked = api_call(
            t,
            Method::DELETE,
            &format!("/api/v1/sharing/{grant}"),
            owner_bearer,
            None,
        )
        .await;
        assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    }
    (c, Some(grant))
}

/// The session's form token and an operator-made API token for a signed-in account.
async fn credentials(site: &Site, email: &str, cookie: String) -> Credentials {
    // Every signed-in page's layout holds the form token (its sign-out button); "Get help
    // now" is reachable by every account.
    let csrf = hidden(&site.t.get("/help", Some(&cookie)).await.body, "csrf");
    let bearer = site
        .app
        .create_token_for(email, Some("matrix"), None)
        .await
        .unwrap()
        .secret;
    Credentials {
        cookie,
        csrf,
        bearer: Some(bearer),
    }
}

/// The first `id` of the first non-empty list in an API answer.
fn first_id(reply: &Reply) -> String {
    first_id_where(reply, |_| true)
}

/// The `id` of the first item that `wanted` accepts in the lists of an API answer.
fn first_id_where(reply: &Reply, wanted: impl Fn(&Value) -> bool) -> String {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let json = reply.json();
    let lists = json
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_array);
    for list in lists {
        let item = list.iter().find(|item| wanted(item));
        if let Some(id) = item.and_then(|item| item.get("id")) {
            return match id {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
        }
    }
    panic!("no id in {}", reply.body)
}

/// The id after `prefix` in the first link or form action of a page.
fn id_in_page(html: &str, prefix: &str) -> String {
    let start = html
        .find(prefix)
        .unwrap_or_else(|| panic!("no {prefix} in page"))
        + prefix.len();
    html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect()
}

impl World {
    async fn build(site: &Site, prefix: &str) -> World {
        let t = &site.t;
        let owner_email = format!("{prefix}.owner@example.org");
        let seeded = support::seed::seed_every_kind(t, &owner_email, "Matrix").await;
        let owner = credentials(site, &owner_email, seeded.cookie.clone()).await;

        // The sign-in form's cookie, which every browser holds once it has seen the form.
        let signin = t.get("/signin", None).await;
        assert_eq!(signin.status, StatusCode::OK);
        let form_cookie = format!("form={}", signin.cookie("form").unwrap());
        let form_csrf = hidden(&signin.body, "csrf");

        let mut actors = Vec::new();
        let mut grants: [Option<String>; 7] = Default::default();
        for actor in ACTORS {
            let mut c = match actor {
                Actor::Anonymous => Credentials {
                    cookie: String::new(),
                    csrf: form_csrf.clone(),
                    bearer: None,
                },
                Actor::Owner => Credentials {
                    cookie: owner.cookie.clone(),
                    csrf: owner.csrf.clone(),
                    bearer: owner.bearer.clone(),
                },
                other => {
                    let (c, grant) =
                        set_up_actor(site, prefix, other, owner.bearer.as_deref().unwrap()).await;
                    grants[other.column()] = grant;
                    c
                }
            };
            c.cookie = if c.cookie.is_empty() {
                form_cookie.clone()
            } else {
                format!("{}; {form_cookie}", c.cookie)
            };
            actors.push(c);
        }

        // The owner's ids, read back the way the owner would.
        let bearer = owner.bearer.clone().unwrap();
        let api = |path: &'static str| {
            let bearer = bearer.clone();
            async move {
                t.send(
                    Request::get(path)
                        .header(header::AUTHORIZATION, format!("Bearer {bearer}"))
                        .body(Body::empty())
                        .unwrap(),
                )
                .await
            }
        };
        let checkin = first_id(&api("/api/v1/checkins").await);
        // Only a check-in with a note can become an agenda topic.
        let noted_checkin = first_id_where(&api("/api/v1/checkins").await, |c| {
            c["note"].as_str().is_some_and(|n| !n.is_empty())
        });
        let session = first_id(&api("/api/v1/sessions").await);
        let agenda = first_id(&api("/api/v1/agenda").await);
        let journal = first_id(&api("/api/v1/journal").await);
        let homework = first_id(&api("/api/v1/homework").await);
        let thought_record = first_id(&api("/api/v1/thought-records").await);
        let questionnaire = first_id(&api("/api/v1/questionnaires").await);
        let device = first_id(&api("/api/v1/account/sessions").await);
        let token = first_id(&api("/api/v1/account/tokens").await);
        // A pending invite of the owner's, for cancelling.
        invite_code(t, &bearer, r#"["checkins"]"#).await;
        let invite = api("/api/v1/sharing").await.json()["invites"][0]["id"]
            .as_str()
            .unwrap()
            .to_string();
        let scoped_grant = grants[Actor::TherapistWithScope.column()].clone().unwrap();
        let page = |path: &'static str| t.get(path, Some(&owner.cookie));
        let feedback = id_in_page(&page("/feedback").await.body, "/feedback/");
        let list_item = id_in_page(&page("/toolkit/lists").await.body, "/toolkit/lists/items/");

        let ids = BTreeMap::from([
            ("/checkin/", checkin.clone()),
            ("/sessions/", session),
            ("/agenda/", agenda.clone()),
            ("/agenda/from-checkin/", noted_checkin),
            ("/journal/", journal.clone()),
            ("/homework/", homework.clone()),
            ("/feedback/", feedback),
            ("/toolkit/", "box-breathing".to_string()),
            ("/toolkit/lists/", "self_care".to_string()),
            ("/toolkit/lists/items/", list_item),
            ("/toolkit/thought-record/", thought_record.clone()),
            ("/questionnaires/", "phq9".to_string()),
            ("/questionnaires/results/", questionnaire),
            ("/settings/account/devices/", device.clone()),
            ("/settings/tokens/", token.clone()),
            // The seed writes two versions of each plan; the other accounts write one each
            // (this table's save), so version 2 is the owner's alone.
            ("/safety-plan/history/", "2".to_string()),
            ("/backsliding-plan/history/", "2".to_string()),
            ("/static/", "app.css".to_string()),
            ("/api/v1/journal/", journal),
            ("/api/v1/agenda/", agenda),
            ("/api/v1/homework/", homework),
            ("/api/v1/account/sessions/", device),
            ("/api/v1/account/tokens/", token),
            ("/api/v1/thought-records/", thought_record),
            ("/settings/sharing/", scoped_grant.clone()),
            ("/settings/sharing/invites/", invite),
            ("/api/v1/sharing/", scoped_grant.clone()),
            ("/therapist/clients/", scoped_grant.clone()),
            ("/api/v1/therapist/clients/", scoped_grant),
        ]);

        // Another client, whose codes the therapists join with in the join rows.
        let inviter_email = format!("{prefix}.inviter@example.org");
        site.app
            .add_user(app::NewUser {
                email: inviter_email.clone(),
                password: PASSWORD.into(),
                role: Role::Client,
                country: Some("GB".into()),
                timezone: Some("Europe/London".into()),
            })
            .await
            .unwrap();
        let inviter_bearer = site
            .app
            .create_token_for(&inviter_email, Some("matrix"), None)
            .await
            .unwrap()
            .secret;
        World {
            actors,
            form_csrf,
            ids,
            grants,
            owner_bearer: bearer,
            inviter_bearer,
        }
    }

    /// The owner shares every scope but `scope` with the therapist without it, so a route
    /// needing `scope` refuses them for that scope alone.
    async fn share_all_but(&self, t: &TestApp, scope: Scope) {
        let grant = self.grants[Actor::TherapistWithoutScope.column()]
            .as_deref()
            .unwrap();
        let others = Scope::ALL
            .iter()
            .filter(|s| **s != scope)
            .map(|s| format!("\"{}\"", s.code()))
            .collect::<Vec<_>>()
            .join(",");
        let r = api_call(
            t,
            Method::PATCH,
            &format!("/api/v1/sharing/{grant}"),
            &self.owner_bearer,
            Some(format!(r#"{{"scopes":[{others}]}}"#)),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    }

    /// The path with each `{parameter}` filled by what belongs to the owner; in a
    /// therapist's route, a therapist asks with their own grant id.
    fn fill(&self, template: &str, actor: Actor) -> Result<String, String> {
        let mut out = String::new();
        for segment in template.split('/').skip(1) {
            out.push('/');
            if segment.starts_with('{') {
                let own_grant = THERAPIST_CLIENT_PREFIXES
                    .contains(&out.as_str())
                    .then(|| self.grants[actor.column()].clone())
                    .flatten();
                if let Some(grant) = own_grant {
                    out.push_str(&grant);
                    continue;
                }
                let value = self.ids.get(out.as_str()).ok_or_else(|| {
                    format!(
                        "nothing fills {segment} in {template}: add what the owner has there \
                         to World::build's ids under {out:?}"
                    )
                })?;
                out.push_str(value);
            } else {
                out.push_str(segment);
            }
        }
        Ok(out)
    }
}

// ---------------------------------------------------------------------------------------
// Sending and checking
// ---------------------------------------------------------------------------------------

/// Fills a body's placeholders; `form` percent-encodes what needs it. `code` fills
/// `{code}`.
fn placeholders(text: &str, actor: Actor, form: bool, code: &str) -> String {
    let now = chrono::Utc::now();
    let soon = now + chrono::Duration::days(3);
    let encode = |s: &str| if form { support::enc(s) } else { s.to_string() };
    text.replace("{uuid}", &uuid::Uuid::new_v4().to_string())
        .replace("{now}", &encode(&now.to_rfc3339()))
        .replace("{soon_at}", &soon.to_rfc3339())
        .replace("{soon}", &soon.format("%Y-%m-%d").to_string())
        .replace("{actor}", actor.tag())
        .replace("{password}", &encode(PASSWORD))
        .replace("{code}", &encode(code))
}

fn request(row: &Row, world: &World, actor: Actor, path: &str, code: &str) -> Request<Body> {
    let who = &world.actors[actor.column()];
    let api = path.starts_with("/api/");
    let mut b = Request::builder()
        .method(row.method.clone())
        .uri(path)
        // What a browser sends with a same-site form or fetch.
        .header("sec-fetch-site", "same-origin");
    if api {
        if let Some(bearer) = &who.bearer {
            b = b.header(header::AUTHORIZATION, format!("Bearer {bearer}"));
        }
    } else {
        b = b.header(header::COOKIE, &who.cookie);
    }
    let csrf = if row.signed_out_form {
        &world.form_csrf
    } else {
        &who.csrf
    };
    let body = match row.payload {
        Payload::None => Body::empty(),
        Payload::Form(fields) => {
            b = b.header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
            let fields = placeholders(fields, actor, true, code);
            Body::from(if fields.is_empty() {
                format!("csrf={csrf}")
            } else {
                format!("csrf={csrf}&{fields}")
            })
        }
        Payload::Json(json) => {
            b = b.header(header::CONTENT_TYPE, "application/json");
            Body::from(placeholders(json, actor, false, code))
        }
        Payload::Upload(file) => {
            let boundary = "matrixboundary";
            b = b.header(
                header::CONTENT_TYPE,
                format!("multipart/form-data; boundary={boundary}"),
            );
            Body::from(format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
                 --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"between-export.json\"\r\n\
                 Content-Type: application/json\r\n\r\n{file}\r\n--{boundary}--\r\n"
            ))
        }
    };
    b.body(body).unwrap()
}

/// Why `reply` is not what `expect` says, if it is not.
fn mismatch(expect: Expect, reply: &Reply, api: bool) -> Option<String> {
    let location = reply
        .headers
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let got = if reply.status == StatusCode::SEE_OTHER {
        format!("303 → {location}")
    } else {
        let mut s = reply.status.as_u16().to_string();
        if api && reply.status.as_u16() >= 400 {
            let code = serde_json::from_str::<Value>(&reply.body)
                .ok()
                .and_then(|j| j["error"]["code"].as_str().map(str::to_string));
            s.push_str(&format!(
                " ({})",
                code.as_deref().unwrap_or("no JSON error")
            ));
        }
        s
    };
    let fine = match expect {
        Status(code) => {
            reply.status.as_u16() == code
                && !(api
                    && code >= 400
                    && serde_json::from_str::<Value>(&reply.body)
                        .ok()
                        .and_then(|j| j["error"]["code"].as_str().map(|_| ()))
                        .is_none())
        }
        Error(code, error) => {
            reply.status.as_u16() == code
                && serde_json::from_str::<Value>(&reply.body)
                    .ok()
                    .is_some_and(|j| j["error"]["code"] == error)
        }
        SignIn => reply.status == StatusCode::SEE_OTHER && location == "/signin",
        Expect::To(to) => {
            reply.status == StatusCode::SEE_OTHER
                && (location == to || (!to.contains('?') && location.split('?').next() == Some(to)))
        }
        Saved => reply.status == StatusCode::SEE_OTHER && !location.starts_with("/signin"),
    };
    (!fine).then(|| {
        let excerpt: String = reply.body.chars().take(160).collect();
        let excerpt = if api { excerpt } else { String::new() };
        format!("expected {expect:?}, got {got} {excerpt}")
    })
}

/// Runs every actor on one row; the owner last.
async fn run_row(t: &TestApp, world: &World, row: &Row, failures: &mut Vec<String>) {
    if let Some(scope) = row.needs {
        world.share_all_but(t, scope).await;
    }
    let api = row.path.starts_with("/api/");
    let wants_code = match row.payload {
        Payload::Form(text) | Payload::Json(text) => text.contains("{code}"),
        Payload::None | Payload::Upload(_) => false,
    };
    for actor in SENDING_ORDER {
        let path = match world.fill(row.path, actor) {
            Ok(p) => p,
            Err(e) => {
                failures.push(format!("{} {}: {e}", row.method, row.path));
                return;
            }
        };
        // A code that works, so the answer is about who asks, not about the code.
        let code = if wants_code {
            invite_code(t, &world.inviter_bearer, r#"["checkins"]"#).await
        } else {
            String::new()
        };
        let reply = t.send(request(row, world, actor, &path, &code)).await;
        if let Some(why) = mismatch(row.profile[actor.column()], &reply, api) {
            failures.push(format!(
                "{} {} as {}: {why}",
                row.method,
                row.path,
                actor.name()
            ));
        }
    }
}

/// A grant id no one holds.
const UNKNOWN_GRANT: &str = "2147483000";

/// The therapist routes' ids give nothing away: to an account that is not a therapist's,
/// the owner's real grant id and an unknown one get the same answer, byte for byte; and to a
/// therapist, another therapist's live grant looks exactly like an unknown id.
async fn no_hints(t: &TestApp, world: &World, table: &[Row], failures: &mut Vec<String>) {
    let asked = |actor: Actor, grant: &str, template: &str| {
        let path = template.replacen("{id}", grant, 1);
        let who = &world.actors[actor.column()];
        let mut b = Request::get(&path).header("sec-fetch-site", "same-origin");
        b = if template.starts_with("/api/") {
            b.header(
                header::AUTHORIZATION,
                format!("Bearer {}", who.bearer.as_deref().unwrap()),
            )
        } else {
            b.header(header::COOKIE, &who.cookie)
        };
        t.send(b.body(Body::empty()).unwrap())
    };
    let scoped = world.grants[Actor::TherapistWithScope.column()]
        .clone()
        .unwrap();
    let templates = table
        .iter()
        .filter(|r| r.method == Method::GET)
        .filter(|r| {
            THERAPIST_CLIENT_PREFIXES
                .iter()
                .any(|p| r.path.starts_with(&format!("{p}{{id}}")))
        })
        .map(|r| r.path);
    let mut compared = 0;
    for template in templates {
        // Non-therapists ask for the owner's real grant; the therapist without the scope
        // asks for the scoped therapist's grant, which is live but not theirs.
        for actor in [
            Actor::Owner,
            Actor::OtherClient,
            Actor::Admin,
            Actor::TherapistWithoutScope,
        ] {
            let real = asked(actor, &scoped, template).await;
            let unknown = asked(actor, UNKNOWN_GRANT, template).await;
            compared += 1;
            if (real.status, &real.body) != (unknown.status, &unknown.body) {
                failures.push(format!(
                    "GET {template} as {}: a real grant id answers {} and an unknown one {}: \
                     the answer tells them apart",
                    actor.name(),
                    real.status,
                    unknown.status
                ));
            }
            if actor == Actor::TherapistWithoutScope && real.status != StatusCode::NOT_FOUND {
                failures.push(format!(
                    "GET {template} as {}: another therapist's grant answers {}, not 404",
                    actor.name(),
                    real.status
                ));
            }
        }
    }
    assert!(compared >= 4 * 9, "only {compared} comparisons");
}

/// Every (method, path) the router serves: its paths from [`web::route_paths`], and each
/// path's methods from the `Allow` header of the 405 answering a method no route has. HEAD
/// goes with GET and is not a row of its own.
async fn served(t: &TestApp, world: &World) -> Result<BTreeSet<(String, String)>, Vec<String>> {
    let mut served = BTreeSet::new();
    let mut problems = Vec::new();
    for template in web::route_paths() {
        let path = match world.fill(&template, Actor::Owner) {
            Ok(p) => p,
            Err(e) => {
                problems.push(e);
                continue;
            }
        };
        let reply = t
            .send(
                Request::builder()
                    .method(Method::from_bytes(b"BREW").unwrap())
                    .uri(&path)
                    .header("sec-fetch-site", "same-origin")
                    .body(Body::empty())
                    .unwrap(),
            )
            .await;
        let allow = reply
            .headers
            .get(header::ALLOW)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if reply.status != StatusCode::METHOD_NOT_ALLOWED || allow.is_empty() {
            problems.push(format!(
                "{template}: a method it lacks got {} with Allow {allow:?}, not 405 with the \
                 methods it has",
                reply.status
            ));
            continue;
        }
        for method in allow.split(',').map(str::trim) {
            if method != "HEAD" {
                served.insert((method.to_string(), template.clone()));
            }
        }
    }
    if problems.is_empty() {
        Ok(served)
    } else {
        Err(problems)
    }
}

/// Whether the table has one row for each (method, path) the router serves, and no other.
fn same_routes(served: &BTreeSet<(String, String)>, table: &[Row]) -> Result<(), String> {
    let mut listed = BTreeSet::new();
    let mut twice = Vec::new();
    for row in table {
        let key = (row.method.to_string(), row.path.to_string());
        if !listed.insert(key) {
            twice.push(format!("  {} {}", row.method, row.path));
        }
    }
    let lines = |set: Vec<&(String, String)>| {
        set.iter()
            .map(|(m, p)| format!("  {m} {p}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let unlisted = served.difference(&listed).collect::<Vec<_>>();
    let gone = listed.difference(served).collect::<Vec<_>>();
    if unlisted.is_empty() && gone.is_empty() && twice.is_empty() {
        return Ok(());
    }
    Err(format!(
        "the router and the table differ.\nServed but not in the table (add a row saying what \
         each actor gets):\n{}\nIn the table but not served (remove the row):\n{}\nIn the \
         table twice:\n{}",
        lines(unlisted),
        lines(gone),
        twice.join("\n")
    ))
}

#[test]
fn a_route_without_a_row_or_a_row_without_a_route_fails() {
    let table = table();
    let served: BTreeSet<_> = table
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    assert_eq!(same_routes(&served, &table), Ok(()));

    let mut more = served.clone();
    more.insert(("POST".into(), "/new-thing".into()));
    let why = same_routes(&more, &table).unwrap_err();
    assert!(why.contains("Served but not in the table (add a row saying what each actor gets):\n  POST /new-thing"), "{why}");

    let mut fewer = served.clone();
    fewer.remove(&("GET".into(), "/history".into()));
    let why = same_routes(&fewer, &table).unwrap_err();
    assert!(
        why.contains("In the table but not served (remove the row):\n  GET /history"),
        "{why}"
    );

    let mut doubled = table.clone();
    doubled.push(get("/history", own_page()));
    let why = same_routes(&served, &doubled).unwrap_err();
    assert!(why.contains("In the table twice:\n  GET /history"), "{why}");
}

#[tokio::test]
async fn every_route_answers_every_actor_as_the_table_says() {
    let table = table();
    let mut failures = Vec::new();
    for (backend, site) in support::lifecycle::sites().await {
        let started = Instant::now();
        let world = World::build(&site, "shared").await;

        // The table and the router list the same (method, path) pairs, once each.
        let served = match served(&site.t, &world).await {
            Ok(s) => s,
            Err(problems) => panic!("{backend}: {}", problems.join("\n")),
        };
        if let Err(why) = same_routes(&served, &table) {
            panic!("{backend}: {why}");
        }

        // What leaves everything in place first, on the shared world; then each destructive
        // route on a world of its own.
        for row in table.iter().filter(|r| !r.destroys) {
            run_row(&site.t, &world, row, &mut failures).await;
        }
        no_hints(&site.t, &world, &table, &mut failures).await;
        for (n, row) in table.iter().filter(|r| r.destroys).enumerate() {
            let world = World::build(&site, &format!("fresh{n}")).await;
            run_row(&site.t, &world, row, &mut failures).await;
        }
        println!(
            "authorization matrix ({backend}): {} routes × {} actors = {} requests checked, \
             in {:.1} s",
            table.len(),
            ACTORS.len(),
            table.len() * ACTORS.len(),
            started.elapsed().as_secs_f64()
        );
    }
    assert!(
        failures.is_empty(),
        "{} answers differ from the table:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
