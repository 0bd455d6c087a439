//! The dashboard's HTML, rendered on the server with maud: every value from the API is
//! interpolated through maud's escaping (a checkpoint text `<script>` shows as text), the bar
//! chart is SVG drawn here, and the only script is the embedded `dashboard.js`.

use chrono::{DateTime, Utc};
use maud::{DOCTYPE, Markup, html};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};

use super::overview::Overview;
use super::source::{Action, Filter};
use tm_core::account::Shipment;

/// What every page's header shows.
pub struct Frame {
    /// `v2` or `v4`.
    pub generation: &'static str,
    /// Running against the built-in simulator.
    pub sandbox: bool,
}

/// A path segment, percent-encoded.
fn seg(s: &str) -> String {
    utf8_percent_encode(s, NON_ALPHANUMERIC).to_string()
}

/// The path of the shipment page of `carrier` `number`.
pub fn shipment_path(carrier: &str, number: &str) -> String {
    format!("/shipment/{}/{}", seg(carrier), seg(number))
}

/// The shipment page's path.
pub fn shipment_href(s: &Shipment) -> String {
    shipment_path(&s.carrier, &s.number)
}

fn when(t: Option<DateTime<Utc>>) -> Markup {
    match t {
        Some(t) => html! { time datetime=(t.to_rfc3339()) { (t.format("%Y-%m-%d %H:%M")) } },
        None => html! { "–" },
    }
}

fn status_chip(status: &str) -> Markup {
    html! { span class={ "chip s-" (status) } data-status=(status) { (status) } }
}

/// The page around `main`.
pub fn page(frame: &Frame, title: &str, main: Markup) -> Markup {
    page_refreshing(frame, title, main, None)
}

/// The page around `main`, reloading itself after `refresh` seconds when set (a partial
/// overview, while the listing is still being read).
pub fn page_refreshing(frame: &Frame, title: &str, main: Markup, refresh: Option<u32>) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                @if let Some(secs) = refresh { meta http-equiv="refresh" content=(secs); }
                title { (title) " · tm dashboard" }
                link rel="stylesheet" href="/assets/dashboard.css";
            }
            body {
                a class="skip" href="#main" { "Skip to content" }
                header class="top" {
                    a class="brand" href="/" { "tm dashboard" }
                    span class="badge" {
                        "API " (frame.generation)
                        @if frame.sandbox { " · sandbox" }
                    }
                    form class="search" role="search" action="/search" method="get" {
                        label for="q" { "Tracking number" }
                        input id="q" name="q" type="search" required autocomplete="off"
                            placeholder="e.g. 1Z999AA10123456784";
                        button type="submit" { "Find" }
                    }
                }
                main id="main" tabindex="-1" { (main) }
                script src="/assets/dashboard.js" defer {}
            }
        }
    }
}

/// The bar chart of shipments per status, as SVG with a text alternative per bar; each bar
/// links to the overview filtered by its status.
pub fn chart(o: &Overview) -> Markup {
    let max = o
        .per_status
        .iter()
        .map(|(_, n)| *n)
        .max()
        .unwrap_or(0)
        .max(1);
    let bar = 36;
    let gap = 10;
    let label_w = 110;
    let width = 560;
    let height = o.per_status.len() * (bar + gap) + gap;
    html! {
        svg id="chart" class="chart" role="img" aria-labelledby="chart-title"
            viewBox={ "0 0 " (width) " " (height) } preserveAspectRatio="xMinYMin meet" {
            title id="chart-title" { "Shipments per status" }
            @for (i, (status, n)) in o.per_status.iter().enumerate() {
                @let y = gap + i * (bar + gap);
                @let w = (*n as f64 / max as f64 * (width - label_w - 70) as f64).round().max(if *n > 0 { 2.0 } else { 0.0 });
                a href={ "/?status=" (seg(status)) } aria-label={ (status) ": " (n) } {
                    g class={ "bar s-" (status) } data-status=(status) {
                        text x=(label_w - 8) y=(y + bar / 2 + 5) text-anchor="end" class="label" { (status) }
                        rect x=(label_w) y=(y) width=(w) height=(bar) rx="4" {}
                        text x=(label_w as f64 + w + 8.0) y=(y + bar / 2 + 5) class="count" { (n) }
                    }
                }
            }
        }
    }
}

fn select(name: &str, label: &str, options: &[String], chosen: Option<&str>) -> Markup {
    html! {
        label for=(name) { (label) }
        select id=(name) name=(name) {
            option value="" selected[chosen.is_none()] { "All" }
            @for o in options {
                option value=(o) selected[chosen == Some(o.as_str())] { (o) }
            }
        }
    }
}

fn table(caption: &str, id: &str, rows: &[Shipment], empty: &str) -> Markup {
    html! {
        section aria-labelledby={ (id) "-h" } {
            h2 id={ (id) "-h" } { (caption) }
            @if rows.is_empty() {
                p class="empty" { (empty) }
            } @else {
                div class="scroll" {
                    table id=(id) {
                        thead { tr {
                            th scope="col" { "Tracking number" }
                            th scope="col" { "Carrier" }
                            th scope="col" { "Status" }
                            th scope="col" class="wide" { "Last event" }
                            th scope="col" { "Updated" }
                        } }
                        tbody {
                            @for s in rows {
                                tr data-key=(s.key()) {
                                    th scope="row" { a href=(shipment_href(s)) { (s.number) } }
                                    td { (s.carrier) }
                                    td class="status" { (status_chip(&s.status)) }
                                    td class="wide event" { (s.last_event.as_deref().unwrap_or("")) }
                                    td { (when(s.updated)) }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// The overview: figures, chart, filters, live changes and the lists.
pub fn overview(
    frame: &Frame,
    o: &Overview,
    filter: &Filter,
    statuses: &[String],
    stuck_days: u32,
    problem: Option<&str>,
) -> Markup {
    let carriers: Vec<String> = o
        .carriers
        .iter()
        .cloned()
        .chain(filter.carrier.clone())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let main = html! {
        h1 { "Shipments" }
        @if !o.complete && problem.is_none() {
            p class="notice" role="status" id="reading" {
                "Reading the account: " (o.total) " shipments so far. The figures below cover \
                 those; this page refreshes until all are read."
            }
        }
        @if let Some(p) = problem {
            p class="problem" role="alert" { (p) }
        }
        form class="filters" action="/" method="get" aria-label="Filters" {
            div { (select("carrier", "Carrier", &carriers, filter.carrier.as_deref())) }
            div { (select("status", "Status", statuses, filter.status.as_deref())) }
            div {
                label for="from" { "Created from" }
                input id="from" name="from" type="date" value=[filter.from.as_deref()];
            }
            div {
                label for="to" { "to" }
                input id="to" name="to" type="date" value=[filter.to.as_deref()];
            }
            div class="buttons" {
                button type="submit" { "Apply" }
                @if !filter.is_empty() { a href="/" { "Clear" } }
            }
        }
        ul class="figures" aria-label="Figures" {
            li { span class="n" id="total" { (o.total) } span { "shipments" } }
            li class="warn" { span class="n" id="stuck-count" { (o.stuck_count) } span { "stuck (no update for " (stuck_days) "+ days)" } }
            li class="bad" { span class="n" id="exception-count" { (o.exception_count) } span { "exceptions" } }
            li class="good" { span class="n" id="delivered-today" { (o.delivered_today) } span { "delivered today" } }
            li {
                span class="n" id="average-transit" {
                    @match o.average_transit_days { Some(d) => (format!("{d:.1}")), None => "–" }
                }
                span { "average days in transit (delivered)" }
            }
        }
        @if o.unreadable > 0 {
            p class="problem" role="status" { (o.unreadable) " item(s) the API sent could not be read and are not counted." }
        }
        div class="split" {
            section aria-labelledby="chart-h" class="card" {
                h2 id="chart-h" { "By status" }
                (chart(o))
            }
            section aria-labelledby="live-h" class="card live" {
                h2 id="live-h" { "Live " span id="live-state" class="dot" title="connecting" { "connecting" } }
                p class="hint" { "Status changes appear here as they happen." }
                ol id="live" aria-live="polite" {}
            }
        }
        (table("Recently updated", "recent", &o.recent, "No shipments match."))
        (table(&format!("Stuck: no update for {stuck_days} days or more"), "stuck", &o.stuck, "Nothing is stuck."))
        (table("Exceptions", "exceptions", &o.exceptions, "No exceptions."))
        @if let Some(now) = o.now {
            p class="hint" { "Figures as of " (when(Some(now))) " UTC; lists show at most "
                (super::overview::LIST_ROWS) " rows each." }
        }
    };
    let refresh = (!o.complete && problem.is_none()).then_some(2);
    page_refreshing(frame, "Shipments", main, refresh)
}

/// One shipment: details, timeline, actions.
pub fn shipment(frame: &Frame, s: &Shipment, actions: &[Action], notice: Option<&str>) -> Markup {
    let href = shipment_href(s);
    let main = html! {
        nav aria-label="Breadcrumb" class="crumbs" { a href="/" { "Shipments" } " / " (s.carrier) }
        h1 { (s.number) " " (status_chip(&s.status)) }
        @if let Some(n) = notice { p class="notice" role="status" { (n) } }
        @if let Some(t) = &s.title { p class="title" { (t) } }
        div class="split" {
            section class="card" aria-labelledby="details-h" {
                h2 id="details-h" { "Details" }
                dl class="details" {
                    dt { "Carrier" } dd { (s.carrier) }
                    dt { "Status" } dd { (s.status) @if let Some(sub) = &s.substatus { " (" (sub) ")" } }
                    dt { "From" } dd { (s.origin.as_deref().unwrap_or("–")) }
                    dt { "To" } dd { (s.destination.as_deref().unwrap_or("–")) }
                    dt { "Created" } dd { (when(s.created)) }
                    dt { "Last update" } dd { (when(s.updated)) }
                    dt { "Archived" } dd { @if s.archived { "yes" } @else { "no" } }
                }
            }
            section class="card" aria-labelledby="actions-h" {
                h2 id="actions-h" { "Actions" }
                p class="hint" { "Each asks for confirmation first." }
                ul class="actions" {
                    @for a in actions {
                        @if !matches!(a, Action::ChangeCarrier(_)) {
                            li { a class="button" href={ (href) "/confirm?action=" (a.name()) } {
                                @match a {
                                    Action::MarkDelivered => "Mark delivered",
                                    Action::Archive => "Archive",
                                    Action::Delete => "Delete",
                                    Action::ChangeCarrier(_) => "",
                                }
                            } }
                        }
                    }
                }
                @if actions.iter().any(|a| matches!(a, Action::ChangeCarrier(_))) {
                    form action={ (href) "/confirm" } method="get" class="inline" {
                        input type="hidden" name="action" value="change-carrier";
                        label for="to" { "Move to carrier" }
                        input id="to" name="to" required pattern="[A-Za-z0-9._-]+" placeholder="e.g. fedex";
                        button type="submit" { "Change carrier" }
                    }
                }
            }
        }
        section aria-labelledby="timeline-h" {
            h2 id="timeline-h" { "Timeline" }
            @if s.checkpoints.is_empty() {
                p class="empty" { "No checkpoints yet." }
            } @else {
                ol class="timeline" {
                    @for c in &s.checkpoints {
                        li {
                            time class="when" { (c.time) }
                            div class="what" {
                                p class="text" { (c.text) }
                                p class="meta" {
                                    @if let Some(p) = &c.place { span class="place" { (p) } }
                                    @if let Some(sub) = &c.substatus { " " span class="sub" { (sub) } }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    page(frame, &s.number, main)
}

/// The confirmation before an action: a POST form with the session's token.
pub fn confirm(frame: &Frame, carrier: &str, number: &str, action: &Action, token: &str) -> Markup {
    let back = shipment_path(carrier, number);
    let main = html! {
        h1 { "Confirm" }
        form class="card confirm" method="post" action={ (back) "/action" } {
            p { (action.question(&format!("{carrier}:{number}"))) }
            input type="hidden" name="token" value=(token);
            input type="hidden" name="action" value=(action.name());
            @if let Action::ChangeCarrier(to) = action {
                input type="hidden" name="to" value=(to);
            }
            div class="buttons" {
                button type="submit" id="confirm" class="danger" { "Yes, do it" }
                a href=(back) { "Cancel" }
            }
        }
    };
    page(frame, "Confirm", main)
}

/// What an action did, or why it could not.
pub fn outcome(frame: &Frame, message: &str, ok: bool, back: &str) -> Markup {
    let main = html! {
        h1 { @if ok { "Done" } @else { "Not done" } }
        p class=(if ok { "notice" } else { "problem" }) role="status" { (message) }
        p { a href=(back) { "Back" } " · " a href="/" { "Shipments" } }
    };
    page(frame, if ok { "Done" } else { "Not done" }, main)
}

/// Search results: several carriers may have the number.
pub fn results(frame: &Frame, query: &str, found: &[Shipment]) -> Markup {
    let main = html! {
        h1 { "Tracking number " q { (query) } }
        (table("Found", "found", found, "No shipment has this number."))
    };
    page(frame, "Search", main)
}

/// An error page.
pub fn problem(frame: &Frame, title: &str, message: &str) -> Markup {
    page(
        frame,
        title,
        html! { h1 { (title) } p class="problem" role="alert" { (message) } p { a href="/" { "Shipments" } } },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use tm_core::account::Checkpoint;

    fn frame() -> Frame {
        Frame {
            generation: "v2",
            sandbox: true,
        }
    }

    #[test]
    fn text_from_the_api_is_escaped_everywhere_it_appears() {
        let evil = "<script>alert(1)</script>";
        let s = Shipment {
            carrier: "ups".into(),
            number: "1Z<b>".into(),
            status: "transit\"><script>".into(),
            title: Some(evil.into()),
            last_event: Some(evil.into()),
            checkpoints: vec![Checkpoint {
                time: "2024-03-01 10:00".into(),
                place: Some(evil.into()),
                text: evil.into(),
                substatus: Some(evil.into()),
                ..Checkpoint::default()
            }],
            ..Shipment::default()
        };
        let html = shipment(&frame(), &s, &[Action::Archive], None).into_string();
        assert!(!html.contains("<script>alert"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(
            html.contains("/shipment/ups/1Z%3Cb%3E"),
            "path segments are encoded"
        );
        let mut o = Overview {
            complete: true,
            ..Overview::default()
        };
        o.recent.push(s);
        o.per_status.push(("<img src=x>".into(), 1));
        let html = overview(&frame(), &o, &Filter::default(), &[], 7, None).into_string();
        assert!(!html.contains("<script>alert") && !html.contains("<img src=x>"));
        // The only script element is the embedded one.
        assert_eq!(html.matches("<script").count(), 1);
    }

    #[test]
    fn the_confirmation_posts_the_token_and_the_action() {
        let html = confirm(
            &frame(),
            "ups",
            "1Z9",
            &Action::ChangeCarrier("fedex".into()),
            "tok123",
        )
        .into_string();
        assert!(html.contains(r#"method="post" action="/shipment/ups/1Z9/action""#));
        assert!(html.contains(r#"name="token" value="tok123""#));
        assert!(html.contains(r#"name="to" value="fedex""#));
    }

    #[test]
    fn the_chart_has_a_bar_and_a_text_alternative_per_status() {
        let o = Overview {
            per_status: vec![("transit".into(), 4), ("delivered".into(), 0)],
            ..Overview::default()
        };
        let svg = chart(&o).into_string();
        assert!(svg.contains(r#"aria-label="transit: 4""#));
        assert!(svg.contains(r#"aria-label="delivered: 0""#));
        assert_eq!(svg.matches("<rect").count(), 2);
    }
}
