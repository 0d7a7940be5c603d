//! What a key did, drawn by the app itself (SVG, no script from elsewhere): requests per
//! hour or day, stacked by outcome, with their totals and the same numbers as a table; and
//! the panel's 7-day sparkline next to each key's last use. The four outcomes take colours
//! from the Okabe–Ito palette, told apart with any colour vision, and each is named in the
//! legend and the table as well.

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use sesame_api::{
    functions::api_key_usage,
    wire::{ApiKeyId, KeyUsageView, UsageBucketView, UsageCountsView, UsageRange},
};

use crate::{
    i18n::*,
    messages::error_text,
    time::{local_hour, utc_day},
};

/// The chart's drawing box; the SVG scales to the row's width.
const WIDTH: f64 = 320.0;
const HEIGHT: f64 = 120.0;

/// The outcomes bottom to top, each with the class that colours it.
const OUTCOMES: [(Outcome, &str); 4] = [
    (Outcome::Accepted, "usage-accepted"),
    (Outcome::OutOfScope, "usage-out-of-scope"),
    (Outcome::AddressNotAllowed, "usage-address"),
    (Outcome::Throttled, "usage-throttled"),
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accepted,
    OutOfScope,
    AddressNotAllowed,
    Throttled,
}

fn count(counts: &UsageCountsView, outcome: Outcome) -> u64 {
    match outcome {
        Outcome::Accepted => counts.accepted,
        Outcome::OutOfScope => counts.out_of_scope,
        Outcome::AddressNotAllowed => counts.address_not_allowed,
        Outcome::Throttled => counts.throttled,
    }
}

fn outcome_text(i18n: I18nContext<Locale>, outcome: Outcome) -> String {
    match outcome {
        Outcome::Accepted => t_string!(i18n, usage_accepted),
        Outcome::OutOfScope => t_string!(i18n, usage_out_of_scope),
        Outcome::AddressNotAllowed => t_string!(i18n, usage_address_not_allowed),
        Outcome::Throttled => t_string!(i18n, usage_throttled),
    }
    .to_string()
}

fn range_text(i18n: I18nContext<Locale>, range: UsageRange) -> String {
    match range {
        UsageRange::Day => t_string!(i18n, usage_last_24_hours),
        UsageRange::Week => t_string!(i18n, usage_last_7_days),
        UsageRange::Month => t_string!(i18n, usage_last_30_days),
    }
    .to_string()
}

/// A bucket's label: its hour (local) by hour, its day (UTC) by day.
fn bucket_label(usage: &KeyUsageView, bucket: &UsageBucketView) -> String {
    match usage.granularity {
        sesame_api::wire::Granularity::Hour => local_hour(bucket.start),
        sesame_api::wire::Granularity::Day => utc_day(bucket.start),
    }
}

/// One stacked bar per bucket, scaled to the busiest one.
fn bars(usage: &KeyUsageView) -> impl IntoView {
    let busiest = usage.buckets.iter().map(|bucket| bucket.counts.total()).max().unwrap_or(0).max(1) as f64;
    let slot = WIDTH / usage.buckets.len().max(1) as f64;
    let bar = (slot * 0.8).max(1.0);
    usage
        .buckets
        .iter()
        .enumerate()
        .map(|(at, bucket)| {
            let mut top = HEIGHT;
            OUTCOMES
                .iter()
                .filter_map(|(outcome, class)| {
                    let n = count(&bucket.counts, *outcome);
                    (n > 0).then(|| {
                        let height = n as f64 / busiest * HEIGHT;
                        top -= height;
                        view! {
                            <rect class=*class x=format!("{:.2}", at as f64 * slot + (slot - bar) / 2.0) y=format!("{top:.2}")
                                width=format!("{bar:.2}") height=format!("{height:.2}") />
                        }
                    })
                })
                .collect_view()
        })
        .collect_view()
}

/// A key's usage chart, under its row.
#[component]
pub fn KeyUsage(id: ApiKeyId, name: String) -> impl IntoView {
    let i18n = use_i18n();
    let range = RwSignal::new(UsageRange::Day);
    let as_table = RwSignal::new(false);
    let usage = LocalResource::new(move || api_key_usage(id, range.get()));
    let name = StoredValue::new(name);
    view! {
        <div class="key-usage-chart">
            <div class="choice-group usage-ranges" role="group" aria-label=move || t_string!(i18n, usage_range).to_string()>
                {UsageRange::ALL
                    .map(|choice| view! {
                        <button type="button" class="choice" aria-pressed=move || (range.get() == choice).to_string() on:click=move |_| range.set(choice)>
                            {move || range_text(i18n, choice)}
                        </button>
                    })
                    .collect_view()}
            </div>
            {move || match usage.get() {
                None => view! { <p class="muted">{t!(i18n, loading)}</p> }.into_any(),
                Some(Err(failure)) => view! { <p class="form-error">{error_text(i18n, &failure)}</p> }.into_any(),
                Some(Ok(usage)) => {
                    let totals = usage.totals;
                    let summary = t_string!(
                        i18n,
                        usage_summary,
                        name = name.get_value(),
                        range = range_text(i18n, range.get_untracked()),
                        total = totals.total()
                    )
                    .to_string();
                    let first = usage.buckets.first().map(|bucket| bucket_label(&usage, bucket)).unwrap_or_default();
                    let last = usage.buckets.last().map(|bucket| bucket_label(&usage, bucket)).unwrap_or_default();
                    let busiest = usage.buckets.iter().map(|bucket| bucket.counts.total()).max().unwrap_or(0);
                    view! {
                        <p class="usage-total" aria-live="polite">{summary.clone()}</p>
                        <ul class="usage-legend">
                            {OUTCOMES
                                .map(|(outcome, class)| view! {
                                    <li>
                                        <svg class="usage-swatch" viewBox="0 0 10 10" aria-hidden="true"><rect class=class width="10" height="10" /></svg>
                                        {outcome_text(i18n, outcome)}
                                        " "
                                        <strong>{count(&totals, outcome)}</strong>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                        <Show
                            when=move || as_table.get()
                            fallback={
                                let (usage, summary) = (usage.clone(), summary.clone());
                                move || view! {
                                    <figure class="usage-figure">
                                        <svg class="usage-bars" viewBox=format!("0 0 {WIDTH} {HEIGHT}") preserveAspectRatio="none" role="img" aria-label=summary.clone()>
                                            <line class="usage-axis" x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT />
                                            {bars(&usage)}
                                        </svg>
                                        <figcaption class="usage-scale muted">
                                            <span>{first.clone()}</span>
                                            <span>{t_string!(i18n, usage_busiest, count = busiest).to_string()}</span>
                                            <span>{last.clone()}</span>
                                        </figcaption>
                                    </figure>
                                }
                            }
                        >
                            <UsageTable usage=usage.clone() caption=summary.clone() />
                        </Show>
                        <button type="button" class="link-button" on:click=move |_| as_table.update(|shown| *shown = !*shown)>
                            {move || if as_table.get() { t!(i18n, usage_as_chart).into_any() } else { t!(i18n, usage_as_table).into_any() }}
                        </button>
                    }
                    .into_any()
                }
            }}
        </div>
    }
}

/// The chart's numbers, bucket by bucket.
#[component]
fn UsageTable(usage: KeyUsageView, caption: String) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="usage-table-scroll" tabindex="0" role="region" aria-label=caption.clone()>
            <table class="usage-table">
                <caption class="visually-hidden">{caption.clone()}</caption>
                <thead>
                    <tr>
                        <th scope="col">{t!(i18n, usage_period)}</th>
                        {OUTCOMES.map(|(outcome, _)| view! { <th scope="col">{outcome_text(i18n, outcome)}</th> }).collect_view()}
                    </tr>
                </thead>
                <tbody>
                    {usage
                        .buckets
                        .iter()
                        .map(|bucket| view! {
                            <tr>
                                <th scope="row">{bucket_label(&usage, bucket)}</th>
                                {OUTCOMES.map(|(outcome, _)| view! { <td>{count(&bucket.counts, outcome)}</td> }).collect_view()}
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// A key's requests per day over the last 7 days, as small bars next to its last use.
#[component]
pub fn Sparkline(days: Vec<u64>) -> impl IntoView {
    let i18n = use_i18n();
    let busiest = days.iter().copied().max().unwrap_or(0).max(1) as f64;
    let total: u64 = days.iter().sum();
    let label = move || t_string!(i18n, usage_week, total = total).to_string();
    let width = 8.0 * days.len() as f64;
    view! {
        <svg class="sparkline" viewBox=format!("0 0 {width} 16") width=width height="16" role="img" aria-label=label>
            <title>{label}</title>
            {days
                .iter()
                .enumerate()
                .map(|(at, n)| {
                    // Even a quiet day shows a sliver, so the line reads as seven days.
                    let height = (*n as f64 / busiest * 15.0).max(1.0);
                    view! { <rect class="usage-accepted" x=format!("{}", at * 8 + 1) y=format!("{:.2}", 16.0 - height) width="6" height=format!("{height:.2}") /> }
                })
                .collect_view()}
        </svg>
    }
}
