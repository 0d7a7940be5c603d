//! What asks for the signed-in person's attention about their keys — keys expiring within 7
//! days, keys revoked as leaked in the last 7 days — for the badge on *User settings* and
//! the notices atop the API credentials panel. Loaded once the console shows; the panel
//! reloads it after its own changes.

use leptos::prelude::*;
use sesame_api::{
    error::AppError,
    functions::load_key_notices,
    wire::{ActivityView, KeyNotices},
};

#[derive(Clone, Copy)]
pub struct KeyNoticesState {
    notices: LocalResource<Result<KeyNotices, AppError>>,
}

impl KeyNoticesState {
    pub fn provide() -> Self {
        let state = Self { notices: LocalResource::new(load_key_notices) };
        provide_context(state);
        state
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    /// How many things ask for attention (0 while loading or when loading failed: the
    /// badge is a hint, the panel and the activity log say it all).
    pub fn count(&self) -> usize {
        self.notices.with(|notices| notices.as_ref().and_then(|notices| notices.as_ref().ok()).map_or(0, KeyNotices::count))
    }

    /// The leak reports to show, newest first.
    pub fn revoked_as_leaked(&self) -> Vec<ActivityView> {
        self.notices.with(|notices| {
            notices.as_ref().and_then(|notices| notices.as_ref().ok()).map(|notices| notices.revoked_as_leaked.clone()).unwrap_or_default()
        })
    }

    pub fn reload(&self) {
        self.notices.refetch();
    }
}
