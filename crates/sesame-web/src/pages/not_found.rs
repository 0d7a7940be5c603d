//! Any address the console does not have (the server answers it 404 too).

use leptos::prelude::*;
use sesame_api::routes;

use crate::i18n::*;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <main class="auth-page">
            <div class="auth-card">
                <h1>{t!(i18n, not_found_title)}</h1>
                <p class="muted">{t!(i18n, not_found_text)}</p>
                <a class="btn btn-primary" href=routes::HOME>{t!(i18n, go_home)}</a>
            </div>
        </main>
    }
}
