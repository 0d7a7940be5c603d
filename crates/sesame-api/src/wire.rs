//! What the console and the REST API exchange with the server: one type per idea, the same
//! JSON through both (camelCase, dates in ISO 8601 UTC). Never a database row, never a
//! password hash; a key's secret only in [`CreatedKey`], the answer that made it.

use std::net::IpAddr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use sesame_model::{
    ids::{ApiKeyId, EventId, OrganizationId, SessionId, TrustRuleId, UserId},
    AddressListError, AllowedAddresses, EventKind, Granularity, KeyRateLimit, Language, MaxKeyLifetime, OwnerKind, Permission, Provider, RatePeriod, Role, Scopes,
    Status,
    MAX_ALLOWED_ADDRESSES,
};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrganizationBody))]
pub struct OrganizationView {
    pub id: OrganizationId,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: String,
}

/// A user of the organization.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = UserBody))]
#[serde(rename_all = "camelCase")]
pub struct UserView {
    pub id: UserId,
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub username: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub full_name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 254))]
    pub email: String,
    pub organization: OrganizationView,
    pub role: Role,
    pub status: Status,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub created_at: DateTime<Utc>,
}

/// A service account: it owns keys, acts with its role through them, and never logs in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ServiceAccountBody))]
#[serde(rename_all = "camelCase")]
pub struct ServiceAccountView {
    pub id: UserId,
    /// Unique among every account's username (people's too), ignoring case.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 500))]
    pub description: String,
    /// The ceiling of its keys' power (narrowed by each key's scopes).
    pub role: Role,
    /// The people who manage its keys, besides the organization's administrators.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 20))]
    pub managers: Vec<UserId>,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub created_at: DateTime<Utc>,
}

impl UserView {
    /// Up to two initials from the full name, for the avatar ("Rupert Walker" → "RW").
    pub fn initials(&self) -> String {
        let initials: String = self
            .full_name
            .split_whitespace()
            .filter_map(|word| word.chars().next())
            .take(2)
            .flat_map(char::to_uppercase)
            .collect();
        if initials.is_empty() {
            self.username.chars().take(1).flat_map(char::to_uppercase).collect()
        } else {
            initials
        }
    }
}

/// What the console needs to start: who is signed in (if anyone), whether the one-time
/// setup is still to be done, and the API endpoint to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionState {
    pub me: Option<UserView>,
    pub needs_setup: bool,
    pub endpoint_url: String,
}

/// An API key (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApiKeyBody))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    /// Whose key it is: the person's or the service account's id.
    pub owner_id: UserId,
    /// `user`: a person's key; `service_account`: a service account's, managed by its
    /// managers and the administrators.
    pub owner_kind: OwnerKind,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub created_at: DateTime<Utc>,
    /// When the key was last used (within about a second); null if never.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub last_used_at: Option<DateTime<Utc>>,
    /// The client address of that last use; null if never.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 45))]
    pub last_used_ip: Option<IpAddr>,
    /// `disabled`: refused like a deleted key until enabled again.
    pub status: Status,
    /// From this instant on the key is refused like a deleted one; null: never expires.
    /// An expired key stays listed for 30 days, then is deleted.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub expires_at: Option<DateTime<Utc>>,
    /// After a roll, the previous secret works until then too; null: no overlap.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub previous_secret_valid_until: Option<DateTime<Utc>>,
    /// What the key may do, within its owner's role; null: full access (everything its
    /// owner may do).
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 7))]
    pub scopes: Option<Vec<Permission>>,
    /// The addresses and CIDR ranges the key may be used from; empty: anywhere. A request
    /// from elsewhere gets 403 `address_not_allowed`.
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<AllowedAddress>))]
    pub allowed_addresses: Vec<String>,
    /// The key's own request limit; null: none (only the server's own limits apply). Over
    /// it: 429 with `Retry-After`.
    pub rate_limit: Option<KeyRateLimit>,
    /// A key a CI job got for its OIDC token (`POST /oauth/token`): the trust rule that
    /// minted it and the token's subject; null for any other key.
    #[serde(default)]
    pub minted: Option<MintedView>,
}

/// A trust rule's conditions, for the API document only: claim name → exact value, at most
/// 20 (the rule in `sesame_model::trust`).
#[cfg(feature = "openapi")]
pub struct ClaimConditions;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for ClaimConditions {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use sesame_model::trust::{MAX_CLAIM_NAME, MAX_CLAIM_VALUE, MAX_CONDITIONS};
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        let text = |max: usize| ObjectBuilder::new().schema_type(Type::String).min_length(Some(1)).max_length(Some(max));
        ObjectBuilder::new()
            .property_names(Some(text(MAX_CLAIM_NAME).pattern(Some("^[A-Za-z0-9_.:-]+$"))))
            .additional_properties(Some(text(MAX_CLAIM_VALUE)))
            .min_properties(Some(1))
            .max_properties(Some(MAX_CONDITIONS))
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for ClaimConditions {}

/// Which trust rule minted a key, for which token subject.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MintedView {
    pub rule_id: TrustRuleId,
    /// The token's `sub` (GitHub: `repo:owner/name:ref:refs/heads/main`, say).
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub subject: String,
}

/// A trust rule: which CI jobs may trade their OIDC token for a short-lived key of the
/// service account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TrustRuleView {
    pub id: TrustRuleId,
    pub service_account_id: UserId,
    pub provider: Provider,
    /// The token's `iss`, exactly.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub issuer: String,
    /// The token's one `aud`, exactly.
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub audience: String,
    /// Claim name → exact value; every one must hold.
    #[cfg_attr(feature = "openapi", schema(value_type = ClaimConditions))]
    pub conditions: std::collections::BTreeMap<String, String>,
    /// What the keys it mints may do, within the account's role; null: everything the role
    /// allows.
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 7))]
    pub scopes: Option<Vec<Permission>>,
    /// Where its keys may be used from; empty: anywhere.
    #[cfg_attr(feature = "openapi", schema(max_items = 50, value_type = Vec<AllowedAddress>))]
    pub allowed_addresses: Vec<String>,
    /// Its keys' own request limit; null: none.
    pub rate_limit: Option<KeyRateLimit>,
    /// How long a minted key lives, never beyond the token's own expiry.
    #[cfg_attr(feature = "openapi", schema(minimum = 60, maximum = 3600))]
    pub lifetime_seconds: i64,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub created_at: DateTime<Utc>,
}

/// The console's *Trust a CI provider…* form (the allow-list and rate limit of the keys a
/// rule mints are set through the REST API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrustRuleForm {
    pub provider: Provider,
    pub issuer: String,
    /// None: the instance's public URL.
    pub audience: Option<String>,
    pub conditions: std::collections::BTreeMap<String, String>,
    /// None: everything the account's role allows.
    pub scopes: Option<Vec<Permission>>,
    pub lifetime_seconds: u32,
}

/// What "Test a token" found.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct TokenTestView {
    /// Whether the exchange would mint a key for this token with this rule (its `jti`
    /// aside: the test spends nothing).
    pub would_mint: bool,
    /// Why not, when the token itself was refused (signature, issuer, times, audience…);
    /// null when it was accepted (the conditions say the rest).
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub refused: Option<String>,
    /// The token's claims as it carries them, unverified when it was refused.
    // Raw JSON (indented, for the console to show as is): the browser never parses it into
    // values, which keeps serde_json's value tree out of the bundle.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub claims: Box<serde_json::value::RawValue>,
    /// Each condition of the rule, held against the token.
    #[cfg_attr(feature = "openapi", schema(max_items = 20))]
    pub conditions: Vec<ConditionView>,
}

// One condition of a rule, held against a token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConditionView {
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub claim: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub expected: String,
    /// What the token says (text), null when it lacks the claim.
    #[cfg_attr(feature = "openapi", schema(max_length = 16384))]
    pub got: Option<String>,
    pub matched: bool,
}

// For the API document only (the REST API adds its pattern there).
/// One entry of a key's allow-list: an IPv4 or IPv6 address (`192.0.2.7`), or a CIDR range
/// (`198.51.100.0/24`).
#[cfg(feature = "openapi")]
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, max_length = 49, example = "198.51.100.0/24")]
pub struct AllowedAddress(pub String);

/// Requests made with a key, by outcome.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageCountsView {
    /// Accepted (whatever the operation then answered).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 9007199254740991_i64))]
    pub accepted: u64,
    /// Refused for what the key may not do: 403 `insufficient_scope`, `scope_exceeds_key`,
    /// `restriction_exceeds_key`, `previous_secret_not_allowed` or `account_exceeds_key`, or
    /// 403 `forbidden` when its owner's role does not allow the operation.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 9007199254740991_i64))]
    pub out_of_scope: u64,
    /// Refused with 403 `address_not_allowed`.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 9007199254740991_i64))]
    pub address_not_allowed: u64,
    /// Refused with 429: over the key's own limit, or the server's limit per key.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 9007199254740991_i64))]
    pub throttled: u64,
}

impl UsageCountsView {
    pub fn total(&self) -> u64 {
        self.accepted + self.out_of_scope + self.address_not_allowed + self.throttled
    }
}

/// One hour or day of a key's usage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UsageBucketView {
    /// The bucket's start (UTC); it lasts an hour or a day.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub start: DateTime<Utc>,
    #[serde(flatten)]
    pub counts: UsageCountsView,
}

/// A key's requests over a range, one bucket per hour or day (empty ones included), and
/// their totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = KeyUsageBody))]
#[serde(rename_all = "camelCase")]
pub struct KeyUsageView {
    pub granularity: Granularity,
    /// The first bucket's start: `from` rounded down to a whole hour or day.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub from: DateTime<Utc>,
    /// The last bucket's end: `to` rounded up.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub to: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(max_items = 2160))]
    pub buckets: Vec<UsageBucketView>,
    pub totals: UsageCountsView,
}

/// The console's usage chart ranges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum UsageRange {
    /// The last 24 hours, by hour.
    Day,
    /// The last 7 days, by day.
    Week,
    /// The last 30 days, by day.
    Month,
}

impl UsageRange {
    pub const ALL: [UsageRange; 3] = [UsageRange::Day, UsageRange::Week, UsageRange::Month];
}

/// One key's requests per day over the last 7 days, oldest first (the panel's sparklines).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyWeekView {
    pub id: ApiKeyId,
    pub days: Vec<u64>,
}

/// A client address a key was used from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KeyAddressView {
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 45))]
    pub ip: IpAddr,
    /// The first use from there (within about a second).
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub first_seen: DateTime<Utc>,
    /// The last use from there (within about a second).
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub last_seen: DateTime<Utc>,
}

/// One of a person's keys as the offboarding preview shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KeyAtStakeView {
    pub key: ApiKeyView,
    /// Requests with it accepted in the last 30 days.
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 9007199254740991_i64))]
    pub recent_requests: u64,
    /// The last distinct addresses it was used from, most recent first.
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub addresses: Vec<KeyAddressView>,
}

/// What disabling or deleting a person would break: their keys (the most used first) and
/// the service accounts they are the only active manager of.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OffboardingView {
    pub user_id: UserId,
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub keys: Vec<KeyAtStakeView>,
    #[cfg_attr(feature = "openapi", schema(max_items = 1000))]
    pub sole_manager_of: Vec<ServiceAccountView>,
}

/// One key with the last 10 distinct addresses it was used from, most recent first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ApiKeyDetailsBody))]
#[serde(rename_all = "camelCase")]
pub struct ApiKeyDetails {
    #[serde(flatten)]
    pub key: ApiKeyView,
    #[cfg_attr(feature = "openapi", schema(max_items = 10))]
    pub recent_addresses: Vec<KeyAddressView>,
}

/// A key just created: the only answer that ever contains its secret.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = NewApiKeyBody))]
#[serde(rename_all = "camelCase")]
pub struct CreatedKey {
    #[serde(flatten)]
    pub key: ApiKeyView,
    /// The key itself, to send as `MC-Api-Key`. Shown once: store it now.
    #[cfg_attr(feature = "openapi", schema(min_length = 56, max_length = 56, pattern = "^sesame_[0-9A-Za-z]{49}$"))]
    pub secret: String,
}

impl std::fmt::Debug for CreatedKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CreatedKey").field("key", &self.key).field("secret", &"<redacted>").finish()
    }
}

/// The organization's rules for keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrganizationPolicyBody))]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPolicy {
    pub id: OrganizationId,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: String,
    /// The longest a key may live, in days (30, 90, 180 or 365); null: keys may never
    /// expire. Keys are made and rolled within it; with it, a key made with no expiry gets
    /// this lifetime.
    #[cfg_attr(feature = "openapi", schema(schema_with = max_key_lifetime_schema, required = true))]
    pub max_key_lifetime_days: Option<MaxKeyLifetime>,
}

/// What changing the policy did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = OrganizationPolicyChangeBody))]
#[serde(rename_all = "camelCase")]
pub struct OrganizationPolicyChange {
    #[serde(flatten)]
    pub organization: OrganizationPolicy,
    /// Keys whose expiry was brought forward to the new maximum (their owners are told in
    /// their activity).
    #[cfg_attr(feature = "openapi", schema(minimum = 0, maximum = 2147483647))]
    pub shortened_keys: u32,
}

/// `maxKeyLifetimeDays` as the document says it: one of the offered values, or null.
#[cfg(feature = "openapi")]
pub fn max_key_lifetime_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::{schema::SchemaType, KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let choices = MaxKeyLifetime::CHOICES.map(Some).into_iter().chain([None]);
    let [shortest, .., longest] = MaxKeyLifetime::CHOICES;
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int32)))
        .minimum(Some(shortest))
        .maximum(Some(longest))
        .description(Some("The longest a key may live, in days: 30, 90, 180 or 365; null: no limit."))
        .enum_values(Some(choices))
        .examples([90])
        .build()
}

/// What the console tells a person about their keys outside any list: keys expiring within
/// 7 days (a badge on *User settings*, their rows highlighted) and keys revoked as leaked
/// in the last 7 days.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyNotices {
    pub expiring_soon: Vec<ApiKeyView>,
    pub revoked_as_leaked: Vec<ActivityView>,
}

impl KeyNotices {
    /// How many things ask for the person's attention.
    pub fn count(&self) -> usize {
        self.expiring_soon.len() + self.revoked_as_leaked.len()
    }
}

/// One page of the organization's users (the console's Users page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsersPage {
    pub users: Vec<UserView>,
    pub page: u32,
    pub page_size: u32,
    pub total: u64,
}

/// One page of the service accounts the caller may manage (the console's *Service
/// accounts* page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountsPage {
    pub accounts: Vec<ServiceAccountView>,
    pub page: u32,
    pub page_size: u32,
    pub total: u64,
}

/// A manager of a service account, as its console page lists them (no e-mail: a manager
/// who is no administrator sees their co-managers' names only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManagerView {
    pub id: UserId,
    pub full_name: String,
    pub username: String,
    /// A disabled manager manages nothing until enabled again.
    pub active: bool,
}

/// An administrator's form for a new service account.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountForm {
    pub name: String,
    pub description: String,
    pub role: Role,
    pub managers: Vec<UserId>,
}

/// A change to a service account; `None` leaves that part as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountUpdate {
    pub name: Option<String>,
    pub description: Option<String>,
    pub role: Option<Role>,
    /// The whole new list.
    pub managers: Option<Vec<UserId>>,
}

/// An administrator's form for a new colleague.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewUserForm {
    pub full_name: String,
    pub username: String,
    pub email: String,
    pub role: Role,
    pub password: String,
}

impl std::fmt::Debug for NewUserForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewUserForm").field("username", &self.username).finish_non_exhaustive()
    }
}

/// A change to a user; `None` leaves that part as it is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserUpdate {
    pub role: Option<Role>,
    pub status: Option<Status>,
}

/// A console session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = SessionBody))]
#[serde(rename_all = "camelCase")]
pub struct SessionView {
    pub id: SessionId,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub created_at: DateTime<Utc>,
    /// Within about a minute.
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub last_seen_at: DateTime<Utc>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 45))]
    pub ip: Option<IpAddr>,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub user_agent: Option<String>,
    /// The session making this request (always false through the API).
    pub current: bool,
}

/// A key by id and name (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = KeyRefBody))]
pub struct KeyRefView {
    pub id: ApiKeyId,
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub name: String,
}

/// One event of the activity log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema), schema(as = ActivityBody))]
#[serde(rename_all = "camelCase")]
pub struct ActivityView {
    pub id: EventId,
    #[cfg_attr(feature = "openapi", schema(max_length = 40))]
    pub at: DateTime<Utc>,
    /// What happened, in snake_case: `login_succeeded`, `key_created`, `key_deleted`,
    /// `user_created`, `service_account_created`… New kinds come in minor versions: a
    /// client must accept one it does not know (show it as it is, say).
    #[cfg_attr(feature = "openapi", schema(value_type = String, max_length = 64, pattern = "^[a-z_]+$", example = "key_created"))]
    pub event: EventKind,
    /// Who did it (username); null for a failed login.
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub actor: Option<String>,
    /// Whom it concerns (username).
    #[cfg_attr(feature = "openapi", schema(max_length = 64))]
    pub subject: Option<String>,
    pub key: Option<KeyRefView>,
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 45))]
    pub ip: Option<IpAddr>,
    #[cfg_attr(feature = "openapi", schema(max_length = 256))]
    pub user_agent: Option<String>,
    /// The new role for `user_role_changed`; until when the previous secret works for
    /// `key_rolled` (RFC 3339, or `now`); `previous secret` for `key_revoked_as_leaked` when
    /// only a key's previous secret was reported; the key's new permissions separated by
    /// spaces (or `full`) for `key_scopes_changed`; the permission a refused request needed
    /// for `key_out_of_scope`; the new allow-list (or `anywhere`) for
    /// `key_addresses_changed`; the refused address for `key_address_not_allowed`; the new
    /// limit like `10/second` (or `none`) for `key_rate_limit_changed`.
    #[cfg_attr(feature = "openapi", schema(max_length = 100))]
    pub detail: Option<String>,
}

/// One page of the activity log (the console's Activity section).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityPage {
    pub events: Vec<ActivityView>,
    pub page: u32,
    pub page_size: u32,
    pub total: u64,
}

/// The Security section's password form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PasswordChange {
    pub current: String,
    pub new: String,
}

impl std::fmt::Debug for PasswordChange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordChange(<redacted>)")
    }
}

/// The one-time setup form.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupForm {
    /// The token `sesame serve` printed for the operator.
    pub setup_token: String,
    pub organization: String,
    pub full_name: String,
    pub username: String,
    pub email: String,
    pub password: String,
}

impl std::fmt::Debug for SetupForm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SetupForm").field("username", &self.username).finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(full_name: &str) -> UserView {
        UserView {
            id: UserId::parse("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap(),
            username: "rwalker".into(),
            full_name: full_name.into(),
            email: "r@example.com".into(),
            organization: OrganizationView { id: OrganizationId::parse("67e55044-10b1-426f-9247-bb680e5fe0c9").unwrap(), name: "Acme".into() },
            role: Role::Admin,
            status: Status::Active,
            created_at: Utc::now(),
        }
    }

    #[test]
    fn initials_come_from_the_full_name() {
        assert_eq!(user("Rupert Walker").initials(), "RW");
        assert_eq!(user("élodie de la Tour").initials(), "ÉD");
        assert_eq!(user("Cher").initials(), "C");
        assert_eq!(user("  ").initials(), "R");
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let created = CreatedKey {
            key: ApiKeyView {
                id: ApiKeyId::parse("67e55044-10b1-426f-9247-bb680e5fe0c8").unwrap(),
                owner_id: UserId::parse("67e55044-10b1-426f-9247-bb680e5fe0c9").unwrap(),
                owner_kind: OwnerKind::User,
                name: "n".into(),
                created_at: Utc::now(),
                last_used_at: None,
                last_used_ip: None,
                status: Status::Active,
                expires_at: None,
                previous_secret_valid_until: None,
                scopes: None,
                allowed_addresses: Vec::new(),
                rate_limit: None,
                minted: None,
            },
            secret: "sesame_topsecret".into(),
        };
        assert!(!format!("{created:?}").contains("topsecret"));
    }

    #[test]
    fn the_json_is_the_rest_apis() {
        let json = serde_json::to_value(user("Rupert Walker")).unwrap();
        assert_eq!(json["fullName"], "Rupert Walker");
        assert_eq!(json["organization"]["name"], "Acme");
        assert_eq!(json["role"], "admin");
        assert_eq!(json["status"], "active");
    }
}
