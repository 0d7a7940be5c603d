//! Domain types. Ids are newtypes so a user id can never be passed where a key id is meant.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

macro_rules! text_id {
    ($name:ident) => {
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new_random() -> Self {
                Self(uuid::Uuid::new_v4().to_string())
            }
            /// Accepts only the canonical UUID form, so garbage never reaches a query.
            pub fn parse(text: &str) -> Option<Self> {
                uuid::Uuid::try_parse(text).ok().map(|id| Self(id.to_string()))
            }
            pub fn as_str(&self) -> &str {
                &self.0
            }
            pub(crate) fn from_db(text: String) -> Self {
                Self(text)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}

text_id!(UserId);
text_id!(ApiKeyId);
text_id!(OrganizationId);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Admin,
    User,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::User => "user",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "admin" => Some(Role::Admin),
            "user" => Some(Role::User),
            _ => None,
        }
    }
}

/// A user as the rest of the system sees it (never the password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub organization_id: OrganizationId,
    pub organization_name: String,
    pub username: String,
    pub email: String,
    pub full_name: String,
    pub role: Role,
    pub disabled: bool,
    pub created_at: DateTime<Utc>,
}

/// What is kept about a key: never the key, only its hash (which stays in the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub user_id: UserId,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub last_used_ip: Option<String>,
}

/// Which slice of a list to return: 1-based page number and page size, already checked
/// against [`PageRequest::MAX_SIZE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    number: u32,
    size: u32,
}

impl PageRequest {
    pub const DEFAULT_SIZE: u32 = 100;
    pub const MAX_SIZE: u32 = 500;

    /// `None` when the number is 0 or the size is outside 1..=MAX_SIZE.
    pub fn new(number: u32, size: u32) -> Option<Self> {
        (number >= 1 && (1..=Self::MAX_SIZE).contains(&size)).then_some(Self { number, size })
    }

    pub fn first() -> Self {
        Self { number: 1, size: Self::DEFAULT_SIZE }
    }

    pub fn number(self) -> u32 {
        self.number
    }

    pub fn size(self) -> u32 {
        self.size
    }

    pub(crate) fn offset(self) -> i64 {
        i64::from(self.number - 1) * i64::from(self.size)
    }
}

/// One page of a list, and how many items the whole list has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub request: PageRequest,
    pub total: u64,
}

/// Store times are Unix milliseconds.
pub(crate) fn to_millis(time: DateTime<Utc>) -> i64 {
    time.timestamp_millis()
}

pub(crate) fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_requests_are_bounded() {
        assert_eq!(PageRequest::new(0, 10), None);
        assert_eq!(PageRequest::new(1, 0), None);
        assert_eq!(PageRequest::new(1, PageRequest::MAX_SIZE + 1), None);
        let page = PageRequest::new(3, 20).unwrap();
        assert_eq!(page.offset(), 40);
        assert_eq!(PageRequest::new(u32::MAX, PageRequest::MAX_SIZE).unwrap().offset(), (i64::from(u32::MAX) - 1) * 500);
    }
}
