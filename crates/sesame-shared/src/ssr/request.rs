use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use http::{header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sesame_core::{
    accounts::{ClientInfo, SessionToken, SESSION_LIFETIME},
    model::User,
    net,
};

use super::{respond_with, ServerContext};
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "sesame_session";

/// The peer address, as recorded by axum's `ConnectInfo`.
fn peer(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// The client's address for this request: the peer, or what a trusted proxy forwarded.
pub fn client_ip(parts: &Parts, trusted_proxies: &[IpAddr]) -> IpAddr {
    let forwarded = parts.headers.get_all("x-forwarded-for").iter().filter_map(|line| line.to_str().ok());
    net::client_ip(peer(parts), forwarded, trusted_proxies)
}

pub fn client_info(context: &ServerContext, parts: &Parts) -> ClientInfo {
    let ip = client_ip(parts, &context.trusted_proxies);
    let user_agent = parts
        .headers
        .get(header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(256).collect());
    ClientInfo { ip: Some(ip.to_string()), user_agent }
}

/// Where the current server-function call comes from.
pub fn calling_client(context: &ServerContext) -> ClientInfo {
    client_info(context, &expect_context::<Parts>())
}

pub fn current_session_token(parts: &Parts) -> Option<SessionToken> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == SESSION_COOKIE)
        .and_then(|cookie| SessionToken::from_cookie(cookie.value()))
}

/// The signed-in user making this call, if any.
pub async fn signed_in_user(context: &ServerContext) -> Result<Option<User>, AppError> {
    let parts = expect_context::<Parts>();
    match current_session_token(&parts) {
        Some(token) => Ok(context.services.accounts.session_user(&token).await?),
        None => Ok(None),
    }
}

/// The signed-in user making this call, or `NotSignedIn` (401).
pub async fn caller() -> Result<(ServerContext, User), AppError> {
    let context = expect_context::<ServerContext>();
    match signed_in_user(&context).await? {
        Some(user) => Ok((context, user)),
        None => Err(respond_with(AppError::NotSignedIn)),
    }
}

fn set_cookie(cookie: Cookie<'_>) {
    if let Some(response) = use_context::<ResponseOptions>() {
        if let Ok(value) = cookie.to_string().parse() {
            response.append_header(header::SET_COOKIE, value);
        }
    }
}

/// Signs the browser in: the session cookie for `token`, for the session's lifetime.
pub fn session_cookie(context: &ServerContext, token: &SessionToken) {
    let lifetime = CookieDuration::seconds(SESSION_LIFETIME.num_seconds());
    set_cookie(build_session_cookie(context, token.expose().to_owned(), lifetime));
}

/// Tells the browser to forget the session cookie (log out).
pub fn expired_session_cookie(context: &ServerContext) {
    set_cookie(build_session_cookie(context, String::new(), CookieDuration::ZERO));
}

/// HttpOnly (scripts cannot read it), SameSite=Lax, Secure when served over https.
fn build_session_cookie(context: &ServerContext, value: String, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build((SESSION_COOKIE, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(context.secure_cookies)
        .max_age(max_age)
        .build()
}
