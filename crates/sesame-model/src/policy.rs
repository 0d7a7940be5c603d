//! An organization's rule for how long its keys may live, and the languages its people read
//! Sésame in (their e-mails follow it).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

/// The longest an organization lets its API keys live, in days: one of [`Self::CHOICES`].
/// No policy (keys may never expire) is `Option::None` wherever a policy is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct MaxKeyLifetime(u32);

/// A lifetime that is not one of the choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the maximum key lifetime is 30, 90, 180 or 365 days, or null (none)")]
pub struct UnknownLifetime(pub u32);

impl MaxKeyLifetime {
    /// The choices offered, in days (what the Users page and the REST API accept).
    pub const CHOICES: [u32; 4] = [30, 90, 180, 365];

    pub fn from_days(days: u32) -> Result<Self, UnknownLifetime> {
        if Self::CHOICES.contains(&days) {
            Ok(Self(days))
        } else {
            Err(UnknownLifetime(days))
        }
    }

    pub fn days(self) -> u32 {
        self.0
    }

    /// The latest a key made (or rolled) at `now` may expire.
    pub fn latest_expiry(self, now: DateTime<Utc>) -> DateTime<Utc> {
        now + TimeDelta::days(i64::from(self.0))
    }
}

/// Leeway given to an expiry asked for at an organization's very maximum lifetime: the
/// console computes "90 days" with the browser's clock, which may run a little ahead.
pub const POLICY_LEEWAY: TimeDelta = TimeDelta::minutes(5);

/// An expiry beyond what the organization's policy allows: keys live at most `max`, so the
/// key would have expired at `latest` at the latest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BeyondPolicy {
    pub max: MaxKeyLifetime,
    pub latest: DateTime<Utc>,
}

/// The expiry a key made or rolled at `now` gets under the organization's policy: the one
/// asked for if the policy allows it, the longest allowed if none was asked for (`None`
/// with no policy: never).
pub fn expiry_under_policy(
    policy: Option<MaxKeyLifetime>,
    now: DateTime<Utc>,
    asked: Option<DateTime<Utc>>,
) -> Result<Option<DateTime<Utc>>, BeyondPolicy> {
    let Some(max) = policy else { return Ok(asked) };
    let latest = max.latest_expiry(now);
    match asked {
        None => Ok(Some(latest)),
        Some(at) if at <= latest + POLICY_LEEWAY => Ok(Some(at)),
        Some(_) => Err(BeyondPolicy { max, latest }),
    }
}

impl TryFrom<u32> for MaxKeyLifetime {
    type Error = UnknownLifetime;

    fn try_from(days: u32) -> Result<Self, UnknownLifetime> {
        Self::from_days(days)
    }
}

impl From<MaxKeyLifetime> for u32 {
    fn from(lifetime: MaxKeyLifetime) -> u32 {
        lifetime.0
    }
}

/// When a key's owner is reminded that it expires, in days before: a key within the first
/// of these asks for attention (the console marks it), and gets a reminder at each.
pub const EXPIRY_REMINDER_DAYS: [u32; 2] = [7, 1];

/// A language Sésame speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Language {
    #[default]
    En,
    Fr,
    Es,
}

impl Language {
    pub const ALL: [Language; 3] = [Language::En, Language::Fr, Language::Es];

    /// Its BCP 47 tag.
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Fr => "fr",
            Language::Es => "es",
        }
    }

    /// Its name in itself, as a language chooser shows it.
    pub fn own_name(self) -> &'static str {
        match self {
            Language::En => "English",
            Language::Fr => "Français",
            Language::Es => "Español",
        }
    }

    /// The language of a BCP 47 tag ("fr-CA" is French), if Sésame speaks it.
    pub fn from_tag(tag: &str) -> Option<Language> {
        let primary = tag.split(['-', '_']).next()?;
        Language::ALL.into_iter().find(|language| primary.eq_ignore_ascii_case(language.as_str()))
    }
}

text_enum!(Language, "language");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_offered_lifetimes_are_accepted() {
        for days in MaxKeyLifetime::CHOICES {
            assert_eq!(MaxKeyLifetime::from_days(days).map(MaxKeyLifetime::days), Ok(days));
        }
        for days in [0, 1, 29, 31, 364, 366, u32::MAX] {
            assert_eq!(MaxKeyLifetime::from_days(days), Err(UnknownLifetime(days)));
        }
    }

    #[test]
    fn languages_round_trip_through_their_tags() {
        for language in Language::ALL {
            assert_eq!(language.as_str().parse::<Language>(), Ok(language));
        }
        assert!("de".parse::<Language>().is_err());
        assert_eq!(Language::from_tag("fr-CA"), Some(Language::Fr));
        assert_eq!(Language::from_tag("ES_mx"), Some(Language::Es));
        assert_eq!(Language::from_tag("en"), Some(Language::En));
        assert_eq!(Language::from_tag("de-DE"), None);
        assert_eq!(Language::from_tag("esperanto"), None);
        assert_eq!(Language::from_tag(""), None);
    }
}
