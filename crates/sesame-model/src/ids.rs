//! Typed ids: UUIDs inside, their hyphenated text on the wire and in the database.

use std::{fmt, str::FromStr};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::UnknownValue;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
        #[cfg_attr(
            feature = "openapi",
            schema(value_type = String, format = Uuid, min_length = 36, max_length = 36, pattern = "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
        )]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            #[cfg(feature = "random")]
            pub fn new_random() -> Self {
                Self(Uuid::new_v4())
            }

            /// Accepts the hyphenated UUID form only (what the API sends and its document
            /// allows); `None` for anything else, so garbage never reaches a query.
            pub fn parse(text: &str) -> Option<Self> {
                (text.len() == 36).then(|| Uuid::try_parse(text).ok().map(Self)).flatten()
            }

            /// The UUID's 16 bytes (a fixed-size key for counters).
            pub fn to_bytes(self) -> [u8; 16] {
                self.0.into_bytes()
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, UnknownValue> {
                Self::parse(text).ok_or_else(|| UnknownValue { what: stringify!($name), value: text.chars().take(40).collect() })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }
    };
}

uuid_id!(UserId);
uuid_id!(ApiKeyId);
uuid_id!(OrganizationId);
uuid_id!(
    /// A console session's id: used to end it (never its token).
    SessionId
);
uuid_id!(EventId);
uuid_id!(
    /// A trust rule of a service account (which CI jobs may trade their OIDC token for a key).
    TrustRuleId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_uuids_and_print_them_hyphenated() {
        let id = UserId::parse("67E55044-10B1-426F-9247-BB680E5FE0C8").unwrap();
        assert_eq!(id.to_string(), "67e55044-10b1-426f-9247-bb680e5fe0c8");
        assert_eq!(UserId::parse(&id.to_string()), Some(id));
        let other_forms = ["67e5504410b1426f9247bb680e5fe0c8", "{67e55044-10b1-426f-9247-bb680e5fe0c8}"];
        for garbage in ["", "not-a-uuid", "'; DROP TABLE users; --", "67e55044-10b1-426f-9247"].into_iter().chain(other_forms) {
            assert_eq!(UserId::parse(garbage), None, "{garbage}");
            assert!(garbage.parse::<ApiKeyId>().is_err());
        }
    }
}
