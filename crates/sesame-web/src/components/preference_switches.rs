//! The person's preferences, each a group of buttons of which one is pressed: the language
//! (also on the login and setup pages) and the theme (next to it in User settings).

use leptos::prelude::*;
use sesame_api::{preferences::Theme, wire::Language};

use crate::{
    i18n::*,
    language::{choose_language, language_of},
    theme::ThemeChoice,
};

/// English / Français / Español, each named (and marked up) in its own language.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let button = move |language: Language| {
        choice_button(
            language.own_name(),
            Some(language.as_str()),
            move || language_of(i18n.get_locale()) == language,
            move || choose_language(i18n, language),
        )
    };
    choice_group(move || t_string!(i18n, language).to_string(), Language::ALL.map(button))
}

/// Light / Dark / System (see `theme.rs`).
#[component]
pub fn ThemeSwitch() -> impl IntoView {
    let i18n = use_i18n();
    let choice = ThemeChoice::get();
    let name = move |theme: Theme| match theme {
        Theme::Light => t_string!(i18n, theme_light),
        Theme::Dark => t_string!(i18n, theme_dark),
        Theme::System => t_string!(i18n, theme_system),
    };
    let button = move |theme: Theme| {
        choice_button(move || name(theme), None, move || choice.current() == theme, move || choice.choose(theme))
    };
    choice_group(move || t_string!(i18n, theme).to_string(), Theme::ALL.map(button))
}

fn choice_group(name: impl Fn() -> String + Send + Sync + 'static, buttons: impl IntoView) -> impl IntoView {
    view! { <div class="choice-group" role="group" aria-label=name>{buttons}</div> }
}

fn choice_button(
    label: impl IntoView + 'static,
    lang: Option<&'static str>,
    chosen: impl Fn() -> bool + Send + Sync + 'static,
    choose: impl Fn() + 'static,
) -> impl IntoView {
    view! {
        <button type="button" class="choice" lang=lang aria-pressed=move || chosen().to_string() on:click=move |_| choose()>
            {label}
        </button>
    }
}
