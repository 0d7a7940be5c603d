//! Small inline icons (no icon font, nothing from a CDN). Decorative: each button that
//! shows one carries its own accessible name.

use leptos::prelude::*;

#[component]
pub fn PencilIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path fill="currentColor" d="M11.7 1.3a1 1 0 0 1 1.4 0l1.6 1.6a1 1 0 0 1 0 1.4L5.5 13.5 1.5 14.5l1-4zM3.4 10.9l-.5 2.2 2.2-.5z" />
        </svg>
    }
}

/// The red circle with a cross: delete.
#[component]
pub fn DeleteIcon() -> impl IntoView {
    view! {
        <svg class="icon icon-danger" viewBox="0 0 16 16" aria-hidden="true">
            <circle cx="8" cy="8" r="7" fill="currentColor" />
            <path d="M5.2 5.2l5.6 5.6M10.8 5.2l-5.6 5.6" stroke-width="1.8" stroke-linecap="round" />
        </svg>
    }
}

#[component]
pub fn ClipboardIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path fill="currentColor" d="M5 1h6v2H5zM3 2h1.5v2h7V2H13a1 1 0 0 1 1 1v11a1 1 0 0 1-1 1H3a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1zm2 5v1.2h6V7zm0 3v1.2h4V10z" />
        </svg>
    }
}

#[component]
pub fn EyeIcon(#[prop(into)] crossed: Signal<bool>) -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path fill="currentColor" d="M8 3C4.4 3 1.6 5.4.5 8c1.1 2.6 3.9 5 7.5 5s6.4-2.4 7.5-5C14.4 5.4 11.6 3 8 3zm0 8.2A3.2 3.2 0 1 1 8 4.8a3.2 3.2 0 0 1 0 6.4zM8 6.4a1.6 1.6 0 1 0 0 3.2 1.6 1.6 0 0 0 0-3.2z" />
            <Show when=move || crossed.get()>
                <path d="M2 14L14 2" stroke="currentColor" stroke-width="1.6" />
            </Show>
        </svg>
    }
}

#[component]
pub fn ChevronIcon() -> impl IntoView {
    view! {
        <svg class="icon chevron" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M6 3l5 5-5 5" fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
    }
}

#[component]
pub fn BackIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M13 8H3m4-4L3 8l4 4" fill="none" stroke="currentColor" stroke-width="1.8" />
        </svg>
    }
}

#[component]
pub fn CloseIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M3 3l10 10M13 3L3 13" stroke="currentColor" stroke-width="1.6" />
        </svg>
    }
}

/// Two bars: disable (pause) a key.
#[component]
pub fn PauseIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path fill="currentColor" d="M4 2.5h3v11H4zM9 2.5h3v11H9z" />
        </svg>
    }
}

/// A triangle: enable (resume) a key.
#[component]
pub fn PlayIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path fill="currentColor" d="M4 2.5v11l9.5-5.5z" />
        </svg>
    }
}

/// Two arrows in a circle: roll (give the key a new secret).
#[component]
pub fn RollIcon() -> impl IntoView {
    view! {
        <svg class="icon" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M13 8a5 5 0 0 1-8.6 3.5M3 8a5 5 0 0 1 8.6-3.5" fill="none" stroke="currentColor" stroke-width="1.6" />
            <path fill="currentColor" d="M12.8 1.5v4h-4zM3.2 14.5v-4h4z" />
        </svg>
    }
}
