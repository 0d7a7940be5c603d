//! *Previous* / *Page n of m* / *Next* under a paged list, shown only when there is more
//! than one page.

use leptos::prelude::*;
use sesame_api::error::AppError;

use crate::i18n::*;

/// How many items a paged listing has in all, as last read (0 while unknown).
pub fn listed_total<T: Send + Sync + 'static>(listing: LocalResource<Result<T, AppError>>, total: fn(&T) -> u64) -> Signal<u64> {
    Signal::derive(move || listing.with(|listing| listing.as_ref().and_then(|found| found.as_ref().ok()).map_or(0, total)))
}

#[component]
pub fn Pager(
    page: RwSignal<u32>,
    /// How many items there are in all (0 while unknown).
    total: Signal<u64>,
    page_size: u32,
) -> impl IntoView {
    let i18n = use_i18n();
    let pages = Signal::derive(move || total.get().div_ceil(u64::from(page_size)).max(1));
    let go = move |delta: i64| {
        let next = i64::from(page.get_untracked()) + delta;
        if next >= 1 && next as u64 <= pages.get_untracked() {
            page.set(next as u32);
        }
    };
    view! {
        <Show when=move || { pages.get() > 1 }>
            <nav class="pager" aria-label=move || t_string!(i18n, pages).to_string()>
                <button class="btn btn-secondary btn-small" on:click=move |_| go(-1) disabled=move || page.get() <= 1>
                    {t!(i18n, previous_page)}
                </button>
                <span>{move || t_string!(i18n, page_of, page = page.get(), pages = pages.get()).to_string()}</span>
                <button class="btn btn-secondary btn-small" on:click=move |_| go(1) disabled=move || u64::from(page.get()) >= pages.get()>
                    {t!(i18n, next_page)}
                </button>
            </nav>
        </Show>
    }
}
