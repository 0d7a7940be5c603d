//! The server half of the console's server functions: the context they run in, the session
//! a call carries (its cookies), and how a failure is answered.

mod context;
mod errors;
mod session;
mod views;

pub use context::ServerContext;
pub use errors::{not_signed_in, page_request, respond_with};
pub use session::{actor, expired_session_cookie, sign_in_cookies, signed_in, visitor, DEVICE_COOKIE, SESSION_COOKIE};
