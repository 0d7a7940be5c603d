//! Visible feedback for every action ("Copied", "API key renamed", errors), announced to
//! screen readers through a live region.

use std::time::Duration;

use leptos::prelude::*;
use leptos_i18n::I18nContext;
use sesame_api::error::AppError;

use crate::{i18n::Locale, messages::error_text};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Success,
    Error,
}

#[derive(Clone, Copy)]
pub struct Feedback {
    message: RwSignal<Option<(Tone, String, u64)>>,
}

impl Feedback {
    pub fn provide() -> Self {
        let feedback = Self { message: RwSignal::new(None) };
        provide_context(feedback);
        feedback
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    pub fn success(&self, text: impl Into<String>) {
        self.show(Tone::Success, text.into());
    }

    pub fn error(&self, text: impl Into<String>) {
        self.show(Tone::Error, text.into());
    }

    /// Shows the error, in the person's language, whenever `resource` fails to load.
    pub fn report_load_failure<T: 'static>(self, i18n: I18nContext<Locale>, resource: LocalResource<Result<T, AppError>>) {
        Effect::new(move |_| {
            resource.with(|loaded| {
                if let Some(Err(error)) = loaded {
                    self.error(error_text(i18n, error));
                }
            });
        });
    }

    fn show(&self, tone: Tone, text: String) {
        let serial = self.message.get_untracked().map_or(0, |(_, _, n)| n + 1);
        self.message.set(Some((tone, text, serial)));
        let message = self.message;
        // Clear after a while, unless a newer message replaced this one.
        set_timeout(
            move || {
                if message.get_untracked().is_some_and(|(_, _, n)| n == serial) {
                    message.set(None);
                }
            },
            Duration::from_secs(5),
        );
    }
}

#[component]
pub fn FeedbackRegion() -> impl IntoView {
    let feedback = Feedback::get();
    view! {
        <div class="feedback-region" role="status" aria-live="polite">
            {move || feedback.message.get().map(|(tone, text, _)| {
                let class = match tone {
                    Tone::Success => "toast toast-success",
                    Tone::Error => "toast toast-error",
                };
                view! { <div class=class>{text}</div> }
            })}
        </div>
    }
}
