//! The person's theme (`sesame_api::preferences`): read from its cookie when the app
//! starts, then set on `<html data-theme>` and kept in the cookie whenever it changes. With
//! *System* there is neither, and the style sheet follows `prefers-color-scheme`.

use leptos::prelude::*;
use sesame_api::preferences::Theme;

use crate::preferences::{document_cookies, write_cookie};

#[derive(Clone, Copy)]
pub struct ThemeChoice(RwSignal<Theme>);

impl ThemeChoice {
    pub fn provide() {
        let choice = RwSignal::new(Theme::from_cookies(&document_cookies()));
        Effect::new(move |_| apply(choice.get()));
        provide_context(Self(choice));
    }

    pub fn get() -> Self {
        expect_context::<Self>()
    }

    pub fn current(self) -> Theme {
        self.0.get()
    }

    pub fn choose(self, theme: Theme) {
        self.0.set(theme);
        write_cookie(&theme.cookie());
    }
}

fn apply(theme: Theme) {
    if let Some(root) = document().document_element() {
        let _ = match theme.attribute() {
            Some(value) => root.set_attribute("data-theme", value),
            None => root.remove_attribute("data-theme"),
        };
    }
}
