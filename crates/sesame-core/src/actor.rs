//! Who is acting, and from where: the first argument of every use case. The same for the
//! console and the REST API, so both boundaries go through the same door with the same
//! rules; only `via` says which one it came through.

use std::{net::IpAddr, sync::Arc};

use chrono::{DateTime, Utc};

use crate::{
    device::DeviceToken,
    key::KeyHash,
    model::{ApiKeyId, LimitFamily, Restrictions, Scopes, User},
};

/// A user acting through one boundary, from one client.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The user as authenticated when the request arrived. Every change re-reads them inside
    /// its own transaction (see `store::Tx::reauthorize`): a credential revoked or a role
    /// lowered while the request was in flight is not acted on.
    pub user: Arc<User>,
    pub client: Client,
    pub via: Via,
    /// What this credential may do within `user`'s role: a key's scopes; everything for a
    /// console session or the command line. `crate::rights` decides with both.
    pub scopes: Scopes,
    /// Where and how fast the credential may be used: a key's restrictions; none for a
    /// console session or the command line. A key may not make or manage a key less
    /// restricted than itself.
    pub restrictions: Arc<Restrictions>,
    /// When the credential stops working: a key's expiry (for its previous secret, the end
    /// of the overlap if sooner); none for a key that never expires, a console session or the
    /// command line. A key makes and manages only keys that expire no later.
    pub expires_at: Option<DateTime<Utc>>,
    /// A key with a request limit: whose allowance it counts in, when a limited key made it
    /// (the keys it makes join that family; none: it heads its own).
    pub limit_family: Option<LimitFamily>,
    /// A key's request: the hour its use was counted in as accepted ([`crate::usage`]), so a
    /// refusal for its scopes moves it there.
    pub counted_in: Option<i64>,
}

/// Where a request came from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Client {
    /// The client address; none for the operator's command line.
    pub ip: Option<IpAddr>,
    /// At most [`Client::MAX_USER_AGENT_CHARS`] characters.
    pub user_agent: Option<String>,
    /// The browser's device cookie, if it has one (see [`crate::device`]).
    pub device: Option<DeviceToken>,
}

impl Client {
    pub const MAX_USER_AGENT_CHARS: usize = 256;

    pub fn new(ip: IpAddr, user_agent: Option<&str>) -> Self {
        let user_agent = user_agent.map(|agent| agent.chars().take(Self::MAX_USER_AGENT_CHARS).collect());
        Self { ip: Some(ip), user_agent, device: None }
    }

    pub fn with_device(mut self, device: Option<DeviceToken>) -> Self {
        self.device = device;
        self
    }

    /// The server itself (a reminder it sends on its own): no address, no agent.
    pub fn server() -> Self {
        Self { ip: None, user_agent: None, device: None }
    }

    /// The operator's command line on this machine.
    pub fn command_line() -> Self {
        Self { ip: None, user_agent: Some("sesame command line".to_owned()), device: None }
    }

    /// The address the limits count this client under (the command line: this machine).
    pub(crate) fn address(&self) -> IpAddr {
        self.ip.unwrap_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST))
    }
}

/// The boundary a request came through, with the credential it presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The browser console, signed in with a session.
    Console(SessionRef),
    /// The REST API, with this key and the hash of the very secret the request presented:
    /// every change checks again, inside its transaction, that this secret still works (a
    /// roll or a leak report in between stops it). `with_previous_secret`: it was the key's
    /// previous secret, in the overlap after a roll.
    Api { key: ApiKeyId, secret: KeyHash, with_previous_secret: bool },
    /// The operator's command line (no credential: whoever runs it owns the database).
    CommandLine,
}

impl Via {
    pub fn boundary(&self) -> Boundary {
        match self {
            Via::Console(_) => Boundary::Console,
            Via::Api { .. } => Boundary::Api,
            Via::CommandLine => Boundary::CommandLine,
        }
    }
}

/// Which way into Sésame a request took.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boundary {
    Console,
    Api,
    CommandLine,
    /// Nobody: the server acting on its own (expiry reminders).
    Server,
}

impl Boundary {
    pub fn as_str(self) -> &'static str {
        match self {
            Boundary::Console => "console",
            Boundary::Api => "api",
            Boundary::CommandLine => "command line",
            Boundary::Server => "server",
        }
    }
}

/// A console session as an actor carries it: its token's hash (never the token).
#[derive(Clone, PartialEq, Eq)]
pub struct SessionRef(pub(crate) String);

impl std::fmt::Debug for SessionRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionRef(<redacted>)")
    }
}

impl Actor {
    /// The operator acting for `user` from the command line (`sesame key create`).
    pub fn command_line(user: User) -> Self {
        Self {
            user: Arc::new(user),
            client: Client::command_line(),
            via: Via::CommandLine,
            scopes: Scopes::Full,
            restrictions: Default::default(),
            expires_at: None,
            limit_family: None,
            counted_in: None,
        }
    }

    /// `user` signed in to the console with the session whose token hashes to `session`.
    pub(crate) fn console(user: User, client: Client, session: SessionRef) -> Self {
        Self { via: Via::Console(session), client, ..Self::command_line(user) }
    }

    /// The key's owner acting through the REST API, with the secret whose hash is `secret`.
    pub(crate) fn api(principal: &crate::principal::KeyPrincipal, secret: KeyHash, client: Client) -> Self {
        let via = Via::Api { key: principal.key_id, secret, with_previous_secret: principal.with_previous_secret };
        Self {
            user: principal.user.clone(),
            client,
            via,
            scopes: principal.scopes,
            restrictions: principal.restrictions.clone(),
            expires_at: principal.expires_at,
            limit_family: principal.limit_family.as_deref().copied(),
            counted_in: None,
        }
    }

    /// The family whose allowance a key this actor makes (or limits) counts in: the
    /// actor's own, when the actor is a key with a request limit — a limited key cannot
    /// multiply its allowance by making keys. None otherwise: the key counts on its own.
    pub fn family_for_keys_it_makes(&self) -> Option<LimitFamily> {
        let Via::Api { key, .. } = self.via else { return None };
        let limit = self.restrictions.rate_limit?;
        Some(self.limit_family.unwrap_or(LimitFamily { root: key, limit }))
    }

    /// The key the request came with, if it came through the REST API.
    pub fn key_id(&self) -> Option<ApiKeyId> {
        match self.via {
            Via::Api { key, .. } => Some(key),
            Via::Console(_) | Via::CommandLine => None,
        }
    }

    /// Whether the request presented a key's previous secret (in the overlap after a roll).
    pub fn with_previous_secret(&self) -> bool {
        matches!(self.via, Via::Api { with_previous_secret: true, .. })
    }

    /// The actor of an authenticated request, whose use was counted in `hour`.
    pub fn counted_in(mut self, hour: i64) -> Self {
        self.counted_in = Some(hour);
        self
    }
}
