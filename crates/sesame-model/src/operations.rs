//! Every use case a credential is checked for, with the permission it needs: the one table
//! the core's door applies (`sesame_core::door`) and the REST document publishes (each
//! operation's `operationId` and the scope its security requirement names). Adding an
//! operation is one row here.

use crate::Permission;

/// The enum and its `ALL`, from one list: a new operation cannot be left out of `ALL` (the
/// REST document finds each operation's scopes through it).
macro_rules! operations {
    ($($(#[$doc:meta])* $name:ident,)*) => {
        /// One use case of Sésame.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Operation {
            $($(#[$doc])* $name,)*
        }

        impl Operation {
            pub const ALL: [Operation; [$(stringify!($name)),*].len()] = [$(Operation::$name),*];
        }
    };
}

operations! {
    GetMe,
    ListApiKeys,
    GetApiKey,
    GetApiKeyUsage,
    CreateApiKey,
    UpdateApiKey,
    DeleteApiKey,
    RollApiKey,
    EndApiKeyOverlap,
    TransferApiKey,
    GetOrganization,
    UpdateOrganization,
    ListUsers,
    GetUser,
    CreateUser,
    UpdateUser,
    /// What disabling or deleting a person would break.
    GetUserOffboarding,
    ListActivity,
    ChangePassword,
    ListSessions,
    EndSession,
    ListServiceAccounts,
    GetServiceAccount,
    CreateServiceAccount,
    UpdateServiceAccount,
    DeleteServiceAccount,
    ListTrustRules,
    GetTrustRule,
    CreateTrustRule,
    UpdateTrustRule,
    DeleteTrustRule,
    /// Holds a pasted token against a rule: what it would mint is not minted.
    TestTrustRule,
    /// The console's banner: keys that expire soon, or have expired.
    KeysNeedingAttention,
    /// The console's list of every key with its last days of use.
    DailyKeyUsage,
    /// The console's *Log out other sessions*.
    EndOtherSessions,
}

impl Operation {
    /// The permission a credential needs for it (its owner's role, then its scopes).
    pub const fn permission(self) -> Permission {
        use Operation::*;
        match self {
            GetMe => Permission::MeRead,
            // The offboarding preview shows a person's keys and where they were used from: a
            // key's reader, not a users' reader, may see that (an administrator's, by role).
            ListApiKeys | GetApiKey | GetApiKeyUsage | KeysNeedingAttention | DailyKeyUsage | GetUserOffboarding => Permission::ApiKeysRead,
            CreateApiKey | UpdateApiKey | DeleteApiKey | RollApiKey | EndApiKeyOverlap | TransferApiKey => Permission::ApiKeysWrite,
            // A rule mints a service account's keys: managing one is managing its keys.
            ListTrustRules | GetTrustRule | TestTrustRule => Permission::ApiKeysRead,
            CreateTrustRule | UpdateTrustRule | DeleteTrustRule => Permission::ApiKeysWrite,
            GetOrganization | ListUsers | GetUser | ListServiceAccounts | GetServiceAccount => Permission::UsersRead,
            UpdateOrganization | CreateUser | UpdateUser | CreateServiceAccount | UpdateServiceAccount | DeleteServiceAccount => Permission::UsersWrite,
            ListActivity => Permission::ActivityRead,
            ChangePassword | ListSessions | EndSession | EndOtherSessions => Permission::SecurityWrite,
        }
    }

    /// Its `operationId` in the REST document; none for what only the console does. Stable:
    /// clients generated from the document are named after it.
    pub const fn operation_id(self) -> Option<&'static str> {
        use Operation::*;
        Some(match self {
            GetMe => "getMe",
            ListApiKeys => "listApiKeys",
            GetApiKey => "getApiKey",
            GetApiKeyUsage => "getApiKeyUsage",
            CreateApiKey => "createApiKey",
            UpdateApiKey => "updateApiKey",
            DeleteApiKey => "deleteApiKey",
            RollApiKey => "rollApiKey",
            EndApiKeyOverlap => "endApiKeyOverlap",
            TransferApiKey => "transferApiKey",
            GetOrganization => "getOrganization",
            UpdateOrganization => "updateOrganization",
            ListUsers => "listUsers",
            GetUser => "getUser",
            CreateUser => "createUser",
            UpdateUser => "updateUser",
            GetUserOffboarding => "getUserOffboarding",
            ListActivity => "listActivity",
            ChangePassword => "changePassword",
            ListSessions => "listSessions",
            EndSession => "endSession",
            ListServiceAccounts => "listServiceAccounts",
            GetServiceAccount => "getServiceAccount",
            CreateServiceAccount => "createServiceAccount",
            UpdateServiceAccount => "updateServiceAccount",
            DeleteServiceAccount => "deleteServiceAccount",
            ListTrustRules => "listTrustRules",
            GetTrustRule => "getTrustRule",
            CreateTrustRule => "createTrustRule",
            UpdateTrustRule => "updateTrustRule",
            DeleteTrustRule => "deleteTrustRule",
            TestTrustRule => "testTrustRule",
            KeysNeedingAttention | DailyKeyUsage | EndOtherSessions => return None,
        })
    }

    /// The REST `operationId` for the document's attribute, which needs a plain string.
    pub const fn rest_id(self) -> &'static str {
        match self.operation_id() {
            Some(id) => id,
            None => panic!("this operation is not in the REST API"),
        }
    }

    /// The operation the REST document names `operation_id`, if it is one of these.
    pub fn from_operation_id(operation_id: &str) -> Option<Operation> {
        Operation::ALL
            .into_iter()
            .find(|operation| operation.operation_id() == Some(operation_id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_rest_operation_id_names_one_operation() {
        for operation in Operation::ALL {
            if let Some(id) = operation.operation_id() {
                assert_eq!(Operation::from_operation_id(id), Some(operation), "{id}");
            }
        }
        assert_eq!(
            Operation::from_operation_id("revokeLeakedApiKeys"),
            None,
            "takes no key"
        );
    }
}
