//! Who is signed in, for the whole app: loaded once, then changed in place by logging in
//! and out (no second round trip).

use leptos::prelude::*;
use sesame_api::{
    error::AppError,
    functions::load_session,
    wire::{SessionState, UserView},
};

#[derive(Clone, Copy)]
pub struct Session {
    state: LocalResource<Result<SessionState, AppError>>,
}

impl Session {
    /// Starts loading the session and makes it the app's.
    pub fn provide() -> Self {
        let session = Self { state: LocalResource::new(load_session) };
        provide_context(session);
        session
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// `None` while loading.
    pub fn state(&self) -> Option<Result<SessionState, AppError>> {
        self.state.get()
    }

    /// The signed-in user, if any (tracked).
    pub fn me(&self) -> Option<UserView> {
        self.state.with(|state| state.as_ref().and_then(|state| state.as_ref().ok()).and_then(|state| state.me.clone()))
    }

    pub fn endpoint_url(&self) -> String {
        self.state.with(|state| {
            state.as_ref().and_then(|state| state.as_ref().ok()).map(|state| state.endpoint_url.clone()).unwrap_or_default()
        })
    }

    pub fn signed_in(&self, me: UserView) {
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
