use leptos::prelude::*;

use crate::i18n::*;

/// English / Français. The choice is kept in a cookie by leptos_i18n, so it survives a
/// reload; until then the browser's preferred language decides.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choice = move |locale: Locale, label: &'static str, lang: &'static str| {
        view! {
            <button
                type="button"
                class="lang-choice"
                lang=lang
                aria-pressed=move || (i18n.get_locale() == locale).to_string()
                on:click=move |_| i18n.set_locale(locale)
            >
                {label}
            </button>
        }
    };
    view! {
        <div class="language-switch" role="group" aria-label=move || t_string!(i18n, language).to_string()>
            {choice(Locale::en, "English", "en")}
            {choice(Locale::fr, "Français", "fr")}
        </div>
    }
}
