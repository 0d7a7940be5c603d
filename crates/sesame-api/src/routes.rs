//! The console's addresses, known to the browser (which screen a path shows) and to the
//! server (which paths answer the app's `index.html`, and which a real 404).

/// A section of the *User settings* drawer, and its address `/settings/<slug>`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Account,
    ApiCredentials,
    Security,
    Activity,
    Language,
    Theme,
}

impl Section {
    pub const ALL: [Section; 6] = [
        Section::Account,
        Section::ApiCredentials,
        Section::Security,
        Section::Activity,
        Section::Language,
        Section::Theme,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Section::Account => "account",
            Section::ApiCredentials => "api-credentials",
            Section::Security => "security",
            Section::Activity => "activity",
            Section::Language => "language",
            Section::Theme => "theme",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|section| section.slug() == slug)
    }

    pub fn path(self) -> String {
        format!("{SETTINGS}/{}", self.slug())
    }
}

pub const HOME: &str = "/";
pub const LOGIN: &str = "/login";
pub const SETUP: &str = "/setup";
pub const USERS: &str = "/users";
/// The drawer's menu; its sections are below it.
pub const SETTINGS: &str = "/settings";
/// The service accounts the signed-in person manages; each one's page is below it.
pub const SERVICE_ACCOUNTS: &str = "/service-accounts";

/// A service account's page.
pub fn service_account_path(id: sesame_model::ids::UserId) -> String {
    format!("{SERVICE_ACCOUNTS}/{id}")
}

/// A service account's trust rule's page (keyless CI).
pub fn trust_rule_path(account: sesame_model::ids::UserId, rule: sesame_model::ids::TrustRuleId) -> String {
    format!("{SERVICE_ACCOUNTS}/{account}/trust-rules/{rule}")
}

/// Whether `path` is one of the console's screens (a trailing slash is allowed).
pub fn is_console_path(path: &str) -> bool {
    let path = match path.strip_suffix('/') {
        Some(rest) if !rest.is_empty() => rest,
        _ => path,
    };
    if [HOME, LOGIN, SETUP, USERS, SETTINGS, SERVICE_ACCOUNTS].contains(&path) {
        return true;
    }
    let below = |parent: &str| path.strip_prefix(parent).and_then(|rest| rest.strip_prefix('/'));
    below(SETTINGS).is_some_and(|slug| Section::from_slug(slug).is_some())
        || below(SERVICE_ACCOUNTS).is_some_and(is_service_account_screen)
}

/// `{id}` or `{id}/trust-rules/{ruleId}`.
fn is_service_account_screen(rest: &str) -> bool {
    let (account, rule) = match rest.split_once("/trust-rules/") {
        Some((account, rule)) => (account, Some(rule)),
        None => (rest, None),
    };
    sesame_model::ids::UserId::parse(account).is_some() && rule.is_none_or(|rule| sesame_model::ids::TrustRuleId::parse(rule).is_some())
}

/// The login page's address when a signed-out visitor opened `path`: after login they
/// come back there.
pub fn login_returning_to(path: &str) -> String {
    match safe_return_path(path) {
        Some(path) if path != HOME && path != LOGIN => format!("{LOGIN}?next={}", encode_path(path)),
        _ => LOGIN.to_owned(),
    }
}

/// Where to go after login, from the `next` parameter: only one of the console's own
/// screens, so a crafted link cannot send a person elsewhere.
pub fn safe_return_path(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && is_console_path(next)).then_some(next)
}

/// Percent-encodes what a path may contain that a query value may not.
fn encode_path(path: &str) -> String {
    path.replace('%', "%25").replace('&', "%26").replace('#', "%23").replace('?', "%3F").replace('+', "%2B")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_console_paths_and_only_them() {
        for path in ["/", "/login", "/setup", "/users", "/users/", "/settings", "/settings/api-credentials", "/settings/security/", "/settings/activity", "/settings/account", "/settings/language"] {
            assert!(is_console_path(path), "{path}");
        }
        for path in ["", "/nope", "/settings/nope", "/settings/api-credentials/x", "/api/v1/me", "/index.html", "/users/x", "//evil.example"] {
            assert!(!is_console_path(path), "{path}");
        }
        let account = sesame_model::ids::UserId::parse("0b9e3c1e-8a4f-4d7e-9a55-3f1c2b7d6e01").unwrap();
        assert!(is_console_path("/service-accounts") && is_console_path(&service_account_path(account)));
        let rule = sesame_model::ids::TrustRuleId::parse("7c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5").unwrap();
        assert!(is_console_path(&trust_rule_path(account, rule)));
        let bad_rule = format!("{}/trust-rules/x", service_account_path(account));
        for path in ["/service-accounts/x", "/service-accounts/1/keys", &bad_rule, "/service-accounts/x/trust-rules/7c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5"] {
            assert!(!is_console_path(path), "{path}");
        }
        for section in Section::ALL {
            assert_eq!(Section::from_slug(section.slug()), Some(section));
            assert!(is_console_path(&section.path()));
        }
    }

    #[test]
    fn a_deep_link_returns_there_after_login_and_nowhere_else() {
        assert_eq!(login_returning_to("/settings/api-credentials"), "/login?next=/settings/api-credentials");
        assert_eq!(login_returning_to("/"), "/login");
        assert_eq!(login_returning_to("/login"), "/login");
        assert_eq!(login_returning_to("/nope"), "/login");
        assert_eq!(safe_return_path("/users"), Some("/users"));
        for bad in ["//evil.example/users", "https://evil.example/", "javascript:alert(1)", "/nope", ""] {
            assert_eq!(safe_return_path(bad), None, "{bad}");
        }
    }
}
