//! The root: language context, the session, and which page to show.

use leptos::{prelude::*, task::spawn_local};
use sesame_shared::{error::AppError, functions::load_session, wire::{Me, SessionState}};

use crate::{
    feedback::{Feedback, FeedbackRegion},
    i18n::*,
    messages::error_text,
    pages::{console::ConsolePage, login::LoginPage, setup::SetupPage},
};

/// The session as the whole app sees it: `None` while loading.
#[derive(Clone, Copy)]
pub struct Session {
    pub state: RwSignal<Option<Result<SessionState, AppError>>>,
}

impl Session {
    pub fn get() -> Self {
        expect_context::<Self>()
    }

    pub fn reload(&self) {
        let state = self.state;
        spawn_local(async move { state.set(Some(load_session().await)) });
    }

    pub fn signed_in(&self, me: Me) {
        self.state.update(|state| {
            if let Some(Ok(session)) = state {
                session.me = Some(me);
                session.needs_setup = false;
            }
        });
    }

    pub fn signed_out(&self) {
        self.state.update(|state| {
            if let Some(Ok(session)) = state {
                session.me = None;
            }
        });
    }
}

#[component]
pub fn App() -> impl IntoView {
    view! {
        <I18nContextProvider>
            <Root />
        </I18nContextProvider>
    }
}

#[component]
fn Root() -> impl IntoView {
    let i18n = use_i18n();
    Feedback::provide();
    let session = Session { state: RwSignal::new(None) };
    provide_context(session);
    session.reload();

    // Keep <html lang> in step with the chosen language, for screen readers.
    Effect::new(move |_| {
        let lang = match i18n.get_locale() {
            Locale::en => "en",
            Locale::fr => "fr",
        };
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", lang);
        }
        document().set_title(t_string!(i18n, app_title));
    });

    let page = move || match session.state.get() {
        None => view! { <p class="page-loading">{t!(i18n, loading)}</p> }.into_any(),
        Some(Err(error)) => {
            view! { <p class="page-error" role="alert">{error_text(i18n, &error)}</p> }.into_any()
        }
        Some(Ok(state)) if state.needs_setup => view! { <SetupPage /> }.into_any(),
        Some(Ok(state)) => match state.me {
            None => view! { <LoginPage /> }.into_any(),
            Some(me) => view! { <ConsolePage me endpoint_url=state.endpoint_url /> }.into_any(),
        },
    };
    view! {
        {page}
        <FeedbackRegion />
    }
}
