//! The core's objects as both boundaries send them (see [`crate::wire`]).

use sesame_core::{
    keys::{KeyAttention, KeyDetails},
    offboarding::{KeyAtStake, Offboarding},
    organization::{Organization, PolicyChange},
    model::{ApiKey, Event, KeyAddress, ServiceAccount, SessionInfo, User},
};

use crate::wire::{
    MintedView, TrustRuleView,
    ActivityView, ApiKeyDetails, ApiKeyView, CreatedKey, KeyAddressView, KeyAtStakeView, OffboardingView, KeyNotices, KeyRefView, OrganizationPolicy, OrganizationPolicyChange,
    ManagerView, OrganizationView, ServiceAccountView, SessionView, UsageBucketView, UsageCountsView, KeyUsageView, UserView,
};

impl From<&User> for UserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id,
            username: user.username.clone(),
            full_name: user.full_name.clone(),
            email: user.email.clone(),
            organization: OrganizationView { id: user.organization_id, name: user.organization_name.clone() },
            role: user.role,
            status: user.status,
            created_at: user.created_at,
        }
    }
}

impl From<&User> for ManagerView {
    fn from(user: &User) -> Self {
        Self { id: user.id, full_name: user.full_name.clone(), username: user.username.clone(), active: user.status.is_active() }
    }
}

impl From<&ServiceAccount> for ServiceAccountView {
    fn from(account: &ServiceAccount) -> Self {
        Self {
            id: account.id,
            name: account.name.clone(),
            description: account.description.clone(),
            role: account.role,
            managers: account.managers.clone(),
            created_at: account.created_at,
        }
    }
}

impl From<&ApiKey> for ApiKeyView {
    fn from(key: &ApiKey) -> Self {
        Self {
            id: key.id,
            owner_id: key.user_id,
            owner_kind: key.owner_kind,
            name: key.name.clone(),
            created_at: key.created_at,
            last_used_at: key.last_used_at,
            last_used_ip: key.last_used_ip,
            status: key.status,
            expires_at: key.expires_at,
            previous_secret_valid_until: key.previous_secret_valid_until,
            scopes: key.scopes.to_list(),
            allowed_addresses: key.restrictions.allowed_addresses.to_list(),
            rate_limit: key.restrictions.rate_limit,
            minted: key.minted.as_ref().map(|minted| MintedView { rule_id: minted.rule, subject: minted.subject.clone() }),
        }
    }
}

impl From<&sesame_core::trust::TrustRule> for TrustRuleView {
    fn from(rule: &sesame_core::trust::TrustRule) -> Self {
        Self {
            id: rule.id,
            service_account_id: rule.service_account_id,
            provider: rule.provider,
            issuer: rule.issuer.clone(),
            audience: rule.audience.clone(),
            conditions: rule.conditions.clone(),
            scopes: rule.scopes.to_list(),
            allowed_addresses: rule.restrictions.allowed_addresses.to_list(),
            rate_limit: rule.restrictions.rate_limit,
            lifetime_seconds: rule.lifetime.num_seconds(),
            created_at: rule.created_at,
        }
    }
}

impl From<sesame_oidc::TokenTest> for crate::wire::TokenTestView {
    fn from(test: sesame_oidc::TokenTest) -> Self {
        let conditions = test
            .conditions
            .into_iter()
            .map(|check| crate::wire::ConditionView { matched: check.matched(), claim: check.claim, expected: check.expected, got: check.got })
            .collect();
        let claims = serde_json::to_string_pretty(&test.claims).ok().and_then(|text| serde_json::value::RawValue::from_string(text).ok());
        let claims = claims.unwrap_or_else(|| serde_json::value::RawValue::from_string("{}".to_owned()).expect("an empty object"));
        Self { would_mint: test.would_mint, refused: test.refused.map(str::to_owned), claims, conditions }
    }
}

/// A key just made or rolled, with its secret: the only answers that carry one.
impl From<&sesame_core::keys::CreatedKey> for CreatedKey {
    fn from(created: &sesame_core::keys::CreatedKey) -> Self {
        Self { key: ApiKeyView::from(&created.key), secret: created.secret.expose().to_owned() }
    }
}

impl From<&KeyDetails> for ApiKeyDetails {
    fn from(details: &KeyDetails) -> Self {
        Self { key: ApiKeyView::from(&details.key), recent_addresses: details.recent_addresses.iter().map(KeyAddressView::from).collect() }
    }
}

impl From<&KeyAddress> for KeyAddressView {
    fn from(address: &KeyAddress) -> Self {
        Self { ip: address.ip, first_seen: address.first_seen, last_seen: address.last_seen }
    }
}

impl From<&Offboarding> for OffboardingView {
    fn from(offboarding: &Offboarding) -> Self {
        let key = |at_stake: &KeyAtStake| KeyAtStakeView {
            key: ApiKeyView::from(&at_stake.key),
            recent_requests: at_stake.recent_requests,
            addresses: at_stake.addresses.iter().map(KeyAddressView::from).collect(),
        };
        Self {
            user_id: offboarding.user_id,
            keys: offboarding.keys.iter().map(key).collect(),
            sole_manager_of: offboarding.sole_manager_of.iter().map(ServiceAccountView::from).collect(),
        }
    }
}

impl From<&Organization> for OrganizationPolicy {
    fn from(organization: &Organization) -> Self {
        Self { id: organization.id, name: organization.name.clone(), max_key_lifetime_days: organization.max_key_lifetime }
    }
}

impl From<&PolicyChange> for OrganizationPolicyChange {
    fn from(change: &PolicyChange) -> Self {
        Self {
            organization: OrganizationPolicy::from(&change.organization),
            shortened_keys: u32::try_from(change.shortened_keys).unwrap_or(u32::MAX),
        }
    }
}

impl From<&KeyAttention> for KeyNotices {
    fn from(attention: &KeyAttention) -> Self {
        Self {
            expiring_soon: attention.expiring_soon.iter().map(ApiKeyView::from).collect(),
            revoked_as_leaked: attention.revoked_as_leaked.iter().map(ActivityView::from).collect(),
        }
    }
}

impl From<SessionInfo> for SessionView {
    fn from(session: SessionInfo) -> Self {
        Self {
            id: session.id,
            created_at: session.created_at,
            last_seen_at: session.last_seen_at,
            ip: session.ip,
            user_agent: session.user_agent,
            current: session.current,
        }
    }
}

impl From<&Event> for ActivityView {
    fn from(event: &Event) -> Self {
        Self {
            id: event.id,
            at: event.at,
            event: event.kind,
            actor: event.actor.as_ref().map(|party| party.username.clone()),
            subject: event.subject.as_ref().map(|party| party.username.clone()),
            key: event.key.as_ref().map(|key| KeyRefView { id: key.id, name: key.name.clone() }),
            ip: event.ip,
            user_agent: event.user_agent.clone(),
            detail: event.detail.clone(),
        }
    }
}

impl From<sesame_core::usage::Counts> for UsageCountsView {
    fn from(counts: sesame_core::usage::Counts) -> Self {
        use sesame_core::usage::Outcome;
        Self {
            accepted: counts.of(Outcome::Accepted),
            out_of_scope: counts.of(Outcome::OutOfScope),
            address_not_allowed: counts.of(Outcome::AddressNotAllowed),
            throttled: counts.of(Outcome::Throttled),
        }
    }
}

impl From<&sesame_core::usage::UsageSeries> for KeyUsageView {
    fn from(series: &sesame_core::usage::UsageSeries) -> Self {
        Self {
            granularity: series.granularity,
            from: series.from,
            to: series.to,
            buckets: series.buckets.iter().map(|(start, counts)| UsageBucketView { start: *start, counts: (*counts).into() }).collect(),
            totals: series.totals().into(),
        }
    }
}

impl From<&sesame_core::model::Page<User>> for crate::wire::UsersPage {
    fn from(found: &sesame_core::model::Page<User>) -> Self {
        Self { users: found.items.iter().map(UserView::from).collect(), page: found.request.number(), page_size: found.request.size(), total: found.total }
    }
}

impl From<&sesame_core::model::Page<ServiceAccount>> for crate::wire::ServiceAccountsPage {
    fn from(page: &sesame_core::model::Page<ServiceAccount>) -> Self {
        Self {
            accounts: page.items.iter().map(ServiceAccountView::from).collect(),
            page: page.request.number(),
            page_size: page.request.size(),
            total: page.total,
        }
    }
}

impl From<&sesame_core::model::Page<Event>> for crate::wire::ActivityPage {
    fn from(found: &sesame_core::model::Page<Event>) -> Self {
        Self { events: found.items.iter().map(ActivityView::from).collect(), page: found.request.number(), page_size: found.request.size(), total: found.total }
    }
}

impl From<&(sesame_core::model::ApiKeyId, sesame_core::usage::UsageSeries)> for crate::wire::KeyWeekView {
    fn from((id, series): &(sesame_core::model::ApiKeyId, sesame_core::usage::UsageSeries)) -> Self {
        Self { id: *id, days: series.buckets.iter().map(|(_, counts)| counts.total()).collect() }
    }
}

impl crate::wire::UsageRange {
    /// The buckets the panel shows for this range.
    pub fn window(self) -> sesame_core::keys::UsageWindow {
        use sesame_core::{keys::UsageWindow, model::Granularity};
        match self {
            crate::wire::UsageRange::Day => UsageWindow::last(Granularity::Hour, 24),
            crate::wire::UsageRange::Week => UsageWindow::last(Granularity::Day, 7),
            crate::wire::UsageRange::Month => UsageWindow::last(Granularity::Day, 30),
        }
    }
}

impl crate::wire::NewUserForm {
    /// The colleague the form describes, as typed.
    pub fn into_colleague(self) -> sesame_core::users::NewColleague {
        let password = sesame_core::password::Password::new(self.password);
        sesame_core::users::NewColleague { full_name: self.full_name, username: self.username, email: self.email, role: self.role, password }
    }
}

impl crate::wire::SetupForm {
    /// The setup token and the first administrator, as typed.
    pub fn into_parts(self) -> (String, sesame_core::accounts::UserInput) {
        let input = sesame_core::accounts::UserInput {
            organization: self.organization,
            full_name: self.full_name,
            username: self.username,
            email: self.email,
            role: sesame_core::model::Role::Admin,
            password: sesame_core::password::Password::new(self.password),
        };
        (self.setup_token, input)
    }
}

