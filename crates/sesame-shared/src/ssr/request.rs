use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use axum::extract::ConnectInfo;
use cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use http::{header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sesame_core::{
    accounts::{LoggedIn, SessionToken, SESSION_LIFETIME},
    actor::{Actor, Client},
    device::{DeviceToken, DEVICE_LIFETIME_MS},
    net,
};

use super::{respond_with, ServerContext};
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "sesame_session";
/// The device cookie (see `sesame_core::device`).
pub const DEVICE_COOKIE: &str = "sesame_device";

/// A cookie's name as this server sets it: over https with the `__Host-` prefix, so the
/// browser takes it only `Secure`, from this very host, for the whole site (no subdomain
/// can plant or overwrite one).
fn cookie_name(context: &ServerContext, name: &'static str) -> std::borrow::Cow<'static, str> {
    if context.secure_cookies {
        format!("__Host-{name}").into()
    } else {
        name.into()
    }
}

/// The client's address for this request: the peer, or what a trusted proxy forwarded.
pub fn client_ip(parts: &Parts, trusted_proxies: &[IpAddr]) -> IpAddr {
    client_ip_of(&parts.headers, &parts.extensions, trusted_proxies)
}

/// The same, from a request's headers and extensions (the peer address is axum's
/// `ConnectInfo`).
pub fn client_ip_of(headers: &http::HeaderMap, extensions: &http::Extensions, trusted_proxies: &[IpAddr]) -> IpAddr {
    let peer = extensions.get::<ConnectInfo<SocketAddr>>().map_or(IpAddr::V4(Ipv4Addr::LOCALHOST), |info| info.0.ip());
    let forwarded = headers.get_all("x-forwarded-for").iter().filter_map(|line| line.to_str().ok());
    net::client_ip(peer, forwarded, trusted_proxies)
}

/// Where this request comes from: client address and user agent. Both boundaries read it
/// here, the console's server functions and the REST API alike.
pub fn client(context: &ServerContext, parts: &Parts) -> Client {
    let device = cookie_value(parts, &cookie_name(context, DEVICE_COOKIE)).and_then(|value| DeviceToken::from_cookie(&value));
    Client::new(client_ip(parts, &context.trusted_proxies), user_agent(parts)).with_device(device)
}

/// The request's `User-Agent`, when it is readable text.
pub fn user_agent(parts: &Parts) -> Option<&str> {
    parts.headers.get(header::USER_AGENT).and_then(|value| value.to_str().ok())
}

pub fn current_session_token(context: &ServerContext, parts: &Parts) -> Option<SessionToken> {
    cookie_value(parts, &cookie_name(context, SESSION_COOKIE)).and_then(|value| SessionToken::from_cookie(&value))
}

fn cookie_value(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == name)
        .map(|cookie| cookie.value().to_owned())
}

/// The signed-in user making this call, as an actor, if any.
pub async fn signed_in(context: &ServerContext) -> Result<Option<Actor>, AppError> {
    let parts = expect_context::<Parts>();
    match current_session_token(context, &parts) {
        Some(token) => Ok(context.services.accounts.console_actor(&token, client(context, &parts)).await?),
        None => Ok(None),
    }
}

/// The signed-in user making this call, or `NotSignedIn` (401).
pub async fn actor() -> Result<(ServerContext, Actor), AppError> {
    let context = expect_context::<ServerContext>();
    match signed_in(&context).await? {
        Some(actor) => Ok((context, actor)),
        None => Err(respond_with(AppError::NotSignedIn)),
    }
}

/// The server context and where this call comes from, for calls made before signing in.
pub fn visitor() -> (ServerContext, Parts, Client) {
    let context = expect_context::<ServerContext>();
    let parts = expect_context::<Parts>();
    let client = client(&context, &parts);
    (context, parts, client)
}

fn set_cookie(cookie: Cookie<'_>) {
    if let Some(response) = use_context::<ResponseOptions>() {
        if let Ok(value) = cookie.to_string().parse() {
            response.append_header(header::SET_COOKIE, value);
        }
    }
}

/// Signs the browser in: the session cookie for the session's lifetime, and the device
/// cookie that vouches for this browser.
pub fn sign_in_cookies(context: &ServerContext, logged_in: &LoggedIn) {
    let lifetime = CookieDuration::seconds(SESSION_LIFETIME.num_seconds());
    set_cookie(build_cookie(context, SESSION_COOKIE, logged_in.session.expose().to_owned(), lifetime));
    let device_lifetime = CookieDuration::milliseconds(DEVICE_LIFETIME_MS);
    set_cookie(build_cookie(context, DEVICE_COOKIE, logged_in.device.expose().to_owned(), device_lifetime));
}

/// Tells the browser to forget the session cookie (log out). The device cookie stays: the
/// browser is still one its owner uses.
pub fn expired_session_cookie(context: &ServerContext) {
    set_cookie(build_cookie(context, SESSION_COOKIE, String::new(), CookieDuration::ZERO));
}

/// HttpOnly (scripts cannot read it), SameSite=Lax, Secure (and `__Host-`) when served over
/// https.
fn build_cookie(context: &ServerContext, name: &'static str, value: String, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build((cookie_name(context, name), value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(context.secure_cookies)
        .max_age(max_age)
        .build()
}
