//! What a key may do. A new key has its owner's privileges (*full access*) unless it is
//! given a subset of these permissions; what it may do is always its scopes ∩ what its
//! owner's role allows at the time of the request (`sesame_core::rights` decides).

use serde::{Deserialize, Serialize};

/// One thing a key may be allowed to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum Permission {
    /// Read who the key acts for (`GET /me`).
    #[serde(rename = "me:read")]
    MeRead,
    /// Read the owner's keys.
    #[serde(rename = "api_keys:read")]
    ApiKeysRead,
    /// Create, change, roll and delete the owner's keys.
    #[serde(rename = "api_keys:write")]
    ApiKeysWrite,
    /// Read the organization's users and its key policy (what the owner's role lets them see).
    #[serde(rename = "users:read")]
    UsersRead,
    /// Create and change users, set the key policy (administrators).
    #[serde(rename = "users:write")]
    UsersWrite,
    /// Read the activity log (what the owner's role lets them see).
    #[serde(rename = "activity:read")]
    ActivityRead,
    /// Change the owner's password, see and end their console sessions.
    #[serde(rename = "security:write")]
    SecurityWrite,
}

impl Permission {
    pub const ALL: [Permission; 7] = [
        Permission::MeRead,
        Permission::ApiKeysRead,
        Permission::ApiKeysWrite,
        Permission::UsersRead,
        Permission::UsersWrite,
        Permission::ActivityRead,
        Permission::SecurityWrite,
    ];

    /// The *Read only* preset: every permission that reads.
    pub const READ_ONLY: [Permission; 4] =
        [Permission::MeRead, Permission::ApiKeysRead, Permission::UsersRead, Permission::ActivityRead];

    pub fn as_str(self) -> &'static str {
        match self {
            Permission::MeRead => "me:read",
            Permission::ApiKeysRead => "api_keys:read",
            Permission::ApiKeysWrite => "api_keys:write",
            Permission::UsersRead => "users:read",
            Permission::UsersWrite => "users:write",
            Permission::ActivityRead => "activity:read",
            Permission::SecurityWrite => "security:write",
        }
    }

    const fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

// One bit each in a `PermissionSet`.
const _: () = assert!(Permission::ALL.len() <= 8);

text_enum!(Permission, "permission");

/// A key's scopes: everything its owner may do, or only some permissions (never none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scopes {
    #[default]
    Full,
    Only(PermissionSet),
}

/// A non-empty set of permissions, one bit each: checked on every request, so no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PermissionSet(u8);

impl PermissionSet {
    const READ_ONLY: Self = Self::of_all(&Permission::READ_ONLY);

    /// The set of a non-empty list, at compile time (the presets are written once, as lists).
    const fn of_all(list: &[Permission]) -> Self {
        let (mut bits, mut at) = (0, 0);
        while at < list.len() {
            bits |= list[at].bit();
            at += 1;
        }
        Self(bits)
    }

    /// The set of `permissions`; none if there are none.
    pub fn of(permissions: impl IntoIterator<Item = Permission>) -> Option<Self> {
        let bits = permissions.into_iter().fold(0, |bits, permission| bits | permission.bit());
        (bits != 0).then_some(Self(bits))
    }

    pub fn contains(self, permission: Permission) -> bool {
        self.0 & permission.bit() != 0
    }

    /// In `Permission::ALL`'s order.
    pub fn iter(self) -> impl Iterator<Item = Permission> {
        Permission::ALL.into_iter().filter(move |permission| self.contains(*permission))
    }
}

/// A scopes list that is not one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
pub enum NoPermission {
    #[error("a key needs at least one permission (or full access)")]
    Empty,
    #[error("{0} is listed twice")]
    Repeated(Permission),
}

impl Scopes {
    /// The *Read only* preset.
    pub fn read_only() -> Self {
        Scopes::Only(PermissionSet::READ_ONLY)
    }

    /// From the API's and the console's form: `None` is full access, a list is those
    /// permissions (at least one).
    pub fn from_list(list: Option<&[Permission]>) -> Result<Self, NoPermission> {
        let Some(list) = list else { return Ok(Scopes::Full) };
        if let Some((_, repeated)) = list.iter().enumerate().find(|(at, permission)| list[..*at].contains(permission)) {
            return Err(NoPermission::Repeated(*repeated));
        }
        PermissionSet::of(list.iter().copied()).map(Scopes::Only).ok_or(NoPermission::Empty)
    }

    /// The API's and the console's form (see [`Scopes::from_list`]).
    pub fn to_list(self) -> Option<Vec<Permission>> {
        match self {
            Scopes::Full => None,
            Scopes::Only(set) => Some(set.iter().collect()),
        }
    }

    pub fn allows(self, permission: Permission) -> bool {
        match self {
            Scopes::Full => true,
            Scopes::Only(set) => set.contains(permission),
        }
    }

    /// Whether `self` is no more than `within`. Full access fits only in full access — even
    /// a key listing every permission there is today does not get "whatever comes next".
    pub fn fits_in(self, within: Scopes) -> bool {
        match (self, within) {
            (_, Scopes::Full) => true,
            (Scopes::Full, Scopes::Only(_)) => false,
            (Scopes::Only(wanted), Scopes::Only(allowed)) => wanted.iter().all(|permission| allowed.contains(permission)),
        }
    }

    /// As stored: none for full access, else the permissions separated by spaces.
    pub fn to_stored(self) -> Option<String> {
        self.to_list().map(|list| list.iter().map(|permission| permission.as_str()).collect::<Vec<_>>().join(" "))
    }

    /// From what [`Scopes::to_stored`] wrote.
    pub fn from_stored(stored: Option<&str>) -> Result<Self, crate::UnknownValue> {
        let Some(stored) = stored else { return Ok(Scopes::Full) };
        let list = stored.split_whitespace().map(str::parse).collect::<Result<Vec<Permission>, _>>()?;
        Scopes::from_list(Some(&list)).map_err(|_| crate::UnknownValue { what: "scopes", value: stored.chars().take(40).collect() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Permission::*;

    #[test]
    fn permissions_read_and_write_their_names() {
        for permission in Permission::ALL {
            assert_eq!(permission.as_str().parse::<Permission>(), Ok(permission));
            assert_eq!(serde_json::to_string(&permission).unwrap(), format!("\"{}\"", permission.as_str()));
        }
        assert!("users:delete".parse::<Permission>().is_err());
    }

    #[test]
    fn scopes_are_full_or_a_non_empty_subset() {
        assert_eq!(Scopes::from_list(None), Ok(Scopes::Full));
        assert_eq!(Scopes::from_list(Some(&[])), Err(NoPermission::Empty));
        assert_eq!(Scopes::from_list(Some(&[UsersRead, MeRead, MeRead])), Err(NoPermission::Repeated(MeRead)));
        let only = Scopes::from_list(Some(&[UsersRead, MeRead])).unwrap();
        assert!(only.allows(MeRead) && only.allows(UsersRead) && !only.allows(UsersWrite));
        assert_eq!(only.to_list(), Some(vec![MeRead, UsersRead]));
        assert!(Scopes::Full.allows(SecurityWrite));
        assert_eq!(Scopes::read_only().to_list(), Some(Permission::READ_ONLY.to_vec()));
    }

    #[test]
    fn stored_scopes_round_trip() {
        for scopes in [Scopes::Full, Scopes::read_only(), Scopes::from_list(Some(&[SecurityWrite])).unwrap()] {
            assert_eq!(Scopes::from_stored(scopes.to_stored().as_deref()), Ok(scopes));
        }
        assert_eq!(Scopes::read_only().to_stored().as_deref(), Some("me:read api_keys:read users:read activity:read"));
        assert!(Scopes::from_stored(Some("me:read root")).is_err());
        assert!(Scopes::from_stored(Some("")).is_err());
    }

    #[test]
    fn full_access_fits_only_in_full_access() {
        let reader = Scopes::read_only();
        assert!(Scopes::from_list(Some(&[MeRead])).unwrap().fits_in(reader));
        assert!(!Scopes::from_list(Some(&[MeRead, UsersWrite])).unwrap().fits_in(reader));
        assert!(!Scopes::Full.fits_in(reader));
        let everything = Scopes::from_list(Some(&Permission::ALL)).unwrap();
        assert!(!Scopes::Full.fits_in(everything), "listing every permission is not full access");
        assert!(everything.fits_in(Scopes::Full) && Scopes::Full.fits_in(Scopes::Full));
    }
}
