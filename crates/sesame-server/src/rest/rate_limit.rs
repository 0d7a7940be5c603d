//! The IETF `RateLimit-Policy` and `RateLimit` fields on every API answer
//! (draft-ietf-httpapi-ratelimit-headers): the limit that applies to every client — failed
//! authentications per address — and where this client's address stands with it. Read from
//! memory: an accepted request never waits for the database to say so.

use std::{net::IpAddr, sync::Arc};

use axum::{
    extract::{Request, State},
    http::{HeaderName, HeaderValue},
    middleware::Next,
    response::Response,
};
use sesame_core::{throttle::FailedAuthStatus, Services};
use sesame_api::http::{client_ip_of, KnownClientIp};

/// The policy's name in both fields.
const POLICY: &str = "failed-auth";

const RATELIMIT: HeaderName = HeaderName::from_static("ratelimit");
const RATELIMIT_POLICY: HeaderName = HeaderName::from_static("ratelimit-policy");

/// What the middleware needs: where to read the limit, and the policy, written once. Cloned
/// for every API request: one reference count.
#[derive(Clone)]
pub struct RateLimitFields(Arc<Fields>);

struct Fields {
    services: Arc<Services>,
    trusted_proxies: Arc<[IpAddr]>,
    policy: HeaderValue,
    /// The `RateLimit` field of an address with its whole allowance (nearly every request's
    /// answer), written once rather than per request.
    untouched: (FailedAuthStatus, HeaderValue),
}

impl RateLimitFields {
    pub fn new(services: Arc<Services>, trusted_proxies: &[IpAddr]) -> Self {
        let limit = services.failed_auth_policy();
        let policy = HeaderValue::from_str(&format!("\"{POLICY}\";q={};w={}", limit.quota, limit.window_seconds))
            .expect("a plain ASCII field");
        let whole_allowance = FailedAuthStatus { remaining: limit.quota, reset_seconds: 0 };
        let untouched = (whole_allowance, field(whole_allowance));
        Self(Arc::new(Fields { services, trusted_proxies: trusted_proxies.into(), policy, untouched }))
    }
}

fn field(status: FailedAuthStatus) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{POLICY}\";r={};t={}", status.remaining, status.reset_seconds)).expect("a plain ASCII field")
}

pub async fn add_fields(State(RateLimitFields(fields)): State<RateLimitFields>, mut request: Request, next: Next) -> Response {
    let ip = client_ip_of(request.headers(), request.extensions(), &fields.trusted_proxies);
    request.extensions_mut().insert(KnownClientIp(ip));
    let mut response = next.run(request).await;
    // After the request: a refusal it made counts already.
    let status = fields.services.failed_auth_status(ip);
    let value = match &fields.untouched {
        (untouched, value) if *untouched == status => value.clone(),
        _ => field(status),
    };
    let headers = response.headers_mut();
    headers.insert(RATELIMIT_POLICY, fields.policy.clone());
    headers.insert(RATELIMIT, value);
    response
}
