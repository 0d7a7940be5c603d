//! The session a console call carries: its cookies read and written, and the signed-in
//! actor (or the visitor) behind it.

use cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use http::{header, request::Parts};
use leptos::prelude::*;
use leptos_axum::ResponseOptions;
use sesame_core::{
    accounts::{LoggedIn, SessionToken, SESSION_LIFETIME},
    actor::{Actor, Client},
    device::{DeviceToken, DEVICE_LIFETIME_MS},
};

use super::{not_signed_in, ServerContext};
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "sesame_session";
/// The device cookie (see `sesame_core::device`).
pub const DEVICE_COOKIE: &str = "sesame_device";

/// The console's cookies' names as this server sets them: over https with the `__Host-`
/// prefix, so the browser takes them only `Secure`, from this very host, for the whole site
/// (no subdomain can plant or overwrite one).
struct CookieNames {
    session: &'static str,
    device: &'static str,
}

fn cookie_names(context: &ServerContext) -> CookieNames {
    if context.secure_cookies {
        CookieNames { session: "__Host-sesame_session", device: "__Host-sesame_device" }
    } else {
        CookieNames { session: SESSION_COOKIE, device: DEVICE_COOKIE }
    }
}

/// The console's cookies a request carries, read in one pass over its `Cookie` header
/// (the first of each name counts).
struct ConsoleCookies {
    session: Option<SessionToken>,
    device: Option<DeviceToken>,
}

fn console_cookies(context: &ServerContext, parts: &Parts) -> ConsoleCookies {
    let names = cookie_names(context);
    let (mut session, mut device) = (None, None);
    let cookies = parts.headers.get_all(header::COOKIE).iter().filter_map(|value| value.to_str().ok()).flat_map(Cookie::split_parse);
    for cookie in cookies.filter_map(Result::ok) {
        if cookie.name() == names.session {
            session.get_or_insert_with(|| SessionToken::from_cookie(cookie.value()));
        } else if cookie.name() == names.device {
            device.get_or_insert_with(|| DeviceToken::from_cookie(cookie.value()));
        }
    }
    ConsoleCookies { session: session.flatten(), device: device.flatten() }
}

/// Where this request comes from: client address, user agent and the browser's device
/// cookie. Both boundaries read the address and agent here, the console's server functions
/// and the REST API alike.
fn client(context: &ServerContext, parts: &Parts, device: Option<DeviceToken>) -> Client {
    crate::http::client_of(parts, &context.trusted_proxies).with_device(device)
}

/// The signed-in user making this call, as an actor, if any.
pub async fn signed_in(context: &ServerContext) -> Result<Option<Actor>, AppError> {
    let parts = expect_context::<Parts>();
    let cookies = console_cookies(context, &parts);
    match cookies.session {
        Some(token) => Ok(context.services.accounts.console_actor(&token, client(context, &parts, cookies.device)).await?),
        None => Ok(None),
    }
}

/// The signed-in user making this call, or `NotSignedIn` (401).
pub async fn actor() -> Result<(ServerContext, Actor), AppError> {
    let context = expect_context::<ServerContext>();
    match signed_in(&context).await? {
        Some(actor) => Ok((context, actor)),
        None => Err(not_signed_in()),
    }
}

/// The server context, where this call comes from, and the session cookie it carries (if
/// any), for calls made before signing in (or to sign out).
pub fn visitor() -> (ServerContext, Client, Option<SessionToken>) {
    let context = expect_context::<ServerContext>();
    let parts = expect_context::<Parts>();
    let cookies = console_cookies(&context, &parts);
    let client = client(&context, &parts, cookies.device);
    (context, client, cookies.session)
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
    let names = cookie_names(context);
    set_cookie(build_cookie(context, names.session, logged_in.session.expose().to_owned(), lifetime));
    let device_lifetime = CookieDuration::milliseconds(DEVICE_LIFETIME_MS);
    set_cookie(build_cookie(context, names.device, logged_in.device.expose().to_owned(), device_lifetime));
}

/// Tells the browser to forget the session cookie (log out). The device cookie stays: the
/// browser is still one its owner uses.
pub fn expired_session_cookie(context: &ServerContext) {
    set_cookie(build_cookie(context, cookie_names(context).session, String::new(), CookieDuration::ZERO));
}

/// HttpOnly (scripts cannot read it), SameSite=Lax, Secure (and `__Host-`) when served over
/// https.
fn build_cookie(context: &ServerContext, name: &'static str, value: String, max_age: CookieDuration) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(context.secure_cookies)
        .max_age(max_age)
        .build()
}
