//! The page frame's navigation over HTTP: one list that is the phone's bottom bar (four pages
//! and "More") and the wide screen's side navigation (every page), the "More" page that
//! lists the rest, and "Get help now" in every header.
// Helpers outside `#[test]` fns unwrap too; clippy.toml's test allowances reach only the tests.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;
use support::*;

use axum::http::{StatusCode, header};

/// The bottom bar, in order: what a phone shows.
const BAR: [(&str, &str); 5] = [
    ("/", "Home"),
    ("/checkin", "Check in"),
    ("/toolkit", "Toolkit"),
    ("/safety-plan", "Safety plan"),
    ("/more", "More"),
];

/// Everything else, reached through "More" on a phone.
const REST: [(&str, &str); 8] = [
    ("/journal", "Journal"),
    ("/history", "History"),
    ("/sessions", "Sessions"),
    ("/agenda", "Agenda"),
    ("/homework", "Homework"),
    ("/brief", "Brief"),
    ("/questionnaires", "Questionnaires"),
    ("/settings", "Settings"),
];

/// The main navigation's markup.
fn main_nav(body: &str) -> &str {
    let start = body
        .find("<nav class=\"main-nav\" aria-label=\"Main\">")
        .expect("a main navigation");
    let end = start + body[start..].find("</nav>").expect("the navigation ends");
    &body[start..end]
}

/// The opening tag of the navigation link to `href`.
fn link_tag<'a>(nav: &'a str, href: &str) -> &'a str {
    let start = nav
        .find(&format!("<a href=\"{href}\""))
        .unwrap_or_else(|| panic!("no link to {href} in {nav}"));
    let end = start + nav[start..].find('>').unwrap();
    &nav[start..=end]
}

#[tokio::test]
async fn the_bar_comes_first_and_the_rest_follows_in_the_same_list() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;
    let home = t.get("/", Some(&cookie)).await;
    let nav = main_nav(&home.body);
    // The phone's CSS shows the items without the "extra" class: exactly the five, in order.
    let items: Vec<&str> = nav.split("<li").skip(1).collect();
    let bar: Vec<&str> = items
        .iter()
        .filter(|li| !li.starts_with(" class=\"extra\""))
        .copied()
        .collect();
    assert_eq!(bar.len(), BAR.len(), "{nav}");
    for ((href, label), li) in BAR.iter().zip(&bar) {
        assert!(
            li.contains(&format!("<a href=\"{href}\"")),
            "{href} in {li}"
        );
        assert!(
            li.contains(&format!("<span>{label}</span>")),
            "{label} in {li}"
        );
        // Icons are decoration: the words are the name.
        assert!(li.contains("aria-hidden=\"true\""), "{li}");
    }
    // The wide screen's side navigation carries everything else, and sign-out.
    for (href, label) in REST {
        assert!(
            nav.contains(&format!("<a href=\"{href}\">{label}</a>")),
            "{href} in the side navigation"
        );
    }
    assert!(nav.contains("action=\"/signout\""));
    assert!(nav.contains(&format!("value=\"{}\"", hidden(&home.body, "csrf"))));
}

#[tokio::test]
async fn the_current_page_and_its_part_of_the_bar_are_marked() {
    let t = test_app().await;
    let cookie = t.sign_up("sam@example.org").await;

    let home = t.get("/", Some(&cookie)).await;
    let nav = main_nav(&home.body);
    assert_eq!(
        link_tag(nav, "/"),
        "<a href=\"/\" aria-current=\"page\" class=\"here\">"
    );
    assert_eq!(link_tag(nav, "/more"), "<a href=\"/more\">");
    assert_eq!(nav.matches("aria-current").count(), 1);

    // A page behind "More": the side navigation marks the page, the bar marks "More".
    let journal = t.get("/journal", Some(&cookie)).await;
    let nav = main_nav(&journal.body);
    assert_eq!(
        link_tag(nav, "/journal"),
        "<a href=\"/journal\" aria-current=\"page\">"
    );
    assert_eq!(link_tag(nav, "/more"), "<a href=\"/more\" class=\"here\">");
    assert_eq!(link_tag(nav, "/"), "<a href=\"/\">");
    assert_eq!(nav.matches("aria-current").count(), 1);

    let more = t.get("/more", Some(&cookie)).await;
    assert_eq!(
        link_tag(main_nav(&more.body), "/more"),
        "<a href=\"/more\" aria-current=\"page\" class=\"here\">"
    );

    // The backsliding plan belongs with the safety plan.
    let backsliding = t.get("/backsliding-plan", Some(&cookie)).await;
    assert_eq!(backsliding.status, StatusCode::OK);
    assert_eq!(
        link_tag(main_nav(&backsliding.body), "/safety-plan"),
        "<a href=\"/safety-plan\" class=\"here\">"
    );
}

#[tokio::test]
async fn more_lists_every_other_place_and_signs_out() {
    let t = test_app().await;
    let signed_out = t.get("/more", None).await;
    assert_eq!(signed_out.status, StatusCode::SEE_OTHER);
    assert_eq!(signed_out.headers.get(header::LOCATION).unwrap(), "/signin");

    let cookie = t.sign_up("sam@example.org").await;
    let more = t.get("/more", Some(&cookie)).await;
    assert_eq!(more.status, StatusCode::OK);
    assert_security_headers(&more, true);
    let main = &more.body[more.body.find("<main").unwrap()..more.body.find("</main>").unwrap()];
    for (href, label) in REST {
        let link = format!("<li><a href=\"{href}\">{label}</a><p>");
        assert!(main.contains(&link), "{label} on More: {main}");
        // Each one leads to a page that opens.
        assert_eq!(
            t.get(href, Some(&cookie)).await.status,
            StatusCode::OK,
            "{href}"
        );
    }
    assert!(main.contains("action=\"/signout\""), "sign-out on More");
    let csrf = hidden(main, "csrf");
    let out = t
        .post_form("/signout", &cookie, &format!("csrf={csrf}"))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert_eq!(
        t.get("/more", Some(&cookie)).await.status,
        StatusCode::SEE_OTHER,
        "signed out by the form on More"
    );
}

#[tokio::test]
async fn get_help_is_in_every_header_and_signed_out_pages_have_no_navigation() {
    let t = test_app().await;
    for path in ["/signup", "/help", "/offline", "/no-such-page"] {
        let r = t.get(path, None).await;
        let header = &r.body[r.body.find("<header").unwrap()..r.body.find("</header>").unwrap()];
        assert!(
            header.contains("<a class=\"help-now\" href=\"/help\">Get help now</a>"),
            "{path}"
        );
        assert!(!r.body.contains("class=\"main-nav\""), "{path}");
        assert!(!r.body.contains("class=\"has-nav\""), "{path}");
    }
    let cookie = t.sign_up("sam@example.org").await;
    for path in ["/", "/more", "/journal", "/help"] {
        let r = t.get(path, Some(&cookie)).await;
        let header = &r.body[r.body.find("<header").unwrap()..r.body.find("</header>").unwrap()];
        assert!(
            header.contains("<a class=\"help-now\" href=\"/help\">Get help now</a>"),
            "{path}"
        );
        // The body keeps room for the bar only when there is one.
        assert!(r.body.contains("<body class=\"has-nav\">"), "{path}");
    }
}
