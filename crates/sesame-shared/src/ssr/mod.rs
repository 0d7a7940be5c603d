//! Server-only half of the shared crate: the context the server functions run in, and how
//! they read the request (client address, session cookie) and shape the response.

mod context;
mod errors;
mod request;
mod views;

pub use context::ServerContext;
pub use errors::{not_signed_in, page_request, respond_with};
pub use request::{
    actor, client_ip, client_ip_of, expired_session_cookie, sign_in_cookies, signed_in, user_agent, visitor, KnownClientIp,
    DEVICE_COOKIE, SESSION_COOKIE,
};
