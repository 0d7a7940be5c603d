//! What the browser keeps of the person's choices — theme and language — each in a cookie
//! of its own, for a year and for the whole site, written only when the person chooses
//! (until then the system's theme and the browser's languages decide, as they change). Not
//! secret, and read by the app's script: not `HttpOnly`. The server reads them too, for the
//! pages it renders (the API docs).

use sesame_model::Language;

pub const THEME_COOKIE: &str = "sesame_theme";
pub const LANGUAGE_COOKIE: &str = "sesame_language";

/// The value of the cookie `name` in a `Cookie` header or in `document.cookie`.
pub fn cookie_value<'a>(cookies: &'a str, name: &str) -> Option<&'a str> {
    cookies.split(';').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key.trim() == name).then(|| value.trim())
    })
}

/// What to assign to `document.cookie` to keep `value` under `name` for a year, or to
/// forget it (`None`).
pub fn cookie_assignment(name: &str, value: Option<&str>) -> String {
    match value {
        Some(value) => format!("{name}={value}; Path=/; Max-Age=31536000; SameSite=Lax"),
        None => format!("{name}=; Path=/; Max-Age=0; SameSite=Lax"),
    }
}

/// The language the person chose, if they chose one we speak.
pub fn chosen_language(cookies: &str) -> Option<Language> {
    cookie_value(cookies, LANGUAGE_COOKIE).and_then(Language::from_tag)
}

/// Light, dark, or as the system is set. The style sheets pick their colours with
/// `light-dark()` from the page's colour scheme, which `<html data-theme>` fixes and the
/// system decides when it is absent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Theme {
    Light,
    Dark,
    /// `prefers-color-scheme` decides: no cookie, no attribute.
    #[default]
    System,
}

impl Theme {
    /// In the order the console offers them.
    pub const ALL: [Theme; 3] = [Theme::Light, Theme::Dark, Theme::System];

    /// The value of `<html data-theme>` and of the cookie; none for `System`.
    pub fn attribute(self) -> Option<&'static str> {
        match self {
            Theme::Light => Some("light"),
            Theme::Dark => Some("dark"),
            Theme::System => None,
        }
    }

    /// The theme the cookies name; `System` when they name none, or one we do not know.
    pub fn from_cookies(cookies: &str) -> Theme {
        match cookie_value(cookies, THEME_COOKIE) {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::System,
        }
    }

    /// What to assign to `document.cookie` to keep this choice (`System` forgets it).
    pub fn cookie(self) -> String {
        cookie_assignment(THEME_COOKIE, self.attribute())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cookie_names_the_theme_and_anything_else_means_the_system() {
        assert_eq!(Theme::from_cookies("sesame_language=fr; sesame_theme=dark"), Theme::Dark);
        assert_eq!(Theme::from_cookies("sesame_theme=light"), Theme::Light);
        assert_eq!(Theme::from_cookies("sesame_theme=purple; a=b"), Theme::System);
        assert_eq!(Theme::from_cookies("other_sesame_theme=dark"), Theme::System);
        assert_eq!(Theme::from_cookies(""), Theme::System);
        for theme in Theme::ALL {
            let cookie = theme.cookie();
            let pair = cookie.split(';').next().unwrap();
            assert_eq!(Theme::from_cookies(pair), theme, "{cookie}");
        }
    }

    #[test]
    fn a_chosen_language_is_one_we_speak() {
        assert_eq!(chosen_language("sesame_theme=dark; sesame_language=es"), Some(Language::Es));
        assert_eq!(chosen_language("sesame_language=fr-CA"), Some(Language::Fr));
        assert_eq!(chosen_language("sesame_language=de"), None);
        assert_eq!(chosen_language("i18n_pref_locale=fr"), None);
        let kept = cookie_assignment(LANGUAGE_COOKIE, Some("es"));
        assert_eq!(chosen_language(kept.split(';').next().unwrap()), Some(Language::Es));
        assert!(cookie_assignment(LANGUAGE_COOKIE, None).contains("Max-Age=0"));
    }
}
