//! Request bodies: JSON objects only. serde's derived structs also accept an array of the
//! fields' values (`["name"]` for `{"name": …}`), which no client means and the API
//! document does not allow; schemathesis found the API taking `[null]` as a create.

use axum::{
    body::{Body, Bytes},
    extract::{rejection::JsonRejection, FromRequest, OptionalFromRequest, Request},
    http::{header, StatusCode},
    Json,
};
use serde::de::DeserializeOwned;

use super::error::ApiError;

/// REST bodies are small JSON documents.
pub const BODY_LIMIT: usize = 64 * 1024;

/// A body axum could not read or parse: too large (413), or not what was expected.
fn refused(status: StatusCode, message: String) -> ApiError {
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::from(sesame_core::error_codes::ErrorCode::PayloadTooLarge { limit_kib: (BODY_LIMIT / 1024) as u32 });
    }
    ApiError::invalid_request("body", message)
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        refused(rejection.status(), rejection.body_text())
    }
}

/// A JSON body that must be an object (or `null` where `T` allows it), with axum's own
/// checks and messages for the content type, the size and the fields.
pub struct JsonObject<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for JsonObject<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let (parts, body) = request.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| refused(rejection.status(), rejection.body_text()))?;
        // axum's checks first (content type, syntax, fields), then the shape.
        let request = Request::from_parts(parts, Body::from(bytes.clone()));
        let Json(value) = <Json<T> as FromRequest<S>>::from_request(request, state).await?;
        if !is_object_or_null(&bytes) {
            return Err(ApiError::invalid_request("body", "The body must be a JSON object."));
        }
        Ok(JsonObject(value))
    }
}

/// No body at all (no `Content-Type`) is `None`; anything else must be a valid body.
impl<T: DeserializeOwned, S: Send + Sync> OptionalFromRequest<S> for JsonObject<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Option<Self>, ApiError> {
        if !request.headers().contains_key(header::CONTENT_TYPE) {
            return Ok(None);
        }
        <Self as FromRequest<S>>::from_request(request, state).await.map(Some)
    }
}

/// For optional fields that may be left out but not sent as `null` (the document says
/// they are not nullable): a field present is deserialized as its own type.
pub fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A whole number of `u32` range, also when written with a fraction of zero (`4547.0`):
/// JSON Schema's `integer` counts it as one, so the API does too.
pub fn whole_u32<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<u32, D::Error> {
    let number = <serde_json::Number as serde::Deserialize>::deserialize(deserializer)?;
    as_whole_u32(&number)
        .ok_or_else(|| serde::de::Error::custom(format!("expected a whole number from 0 to {}, found {number}", u32::MAX)))
}

/// [`whole_u32`] for a field that may be left out but not sent as `null`.
pub fn present_whole_u32<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Option<u32>, D::Error> {
    whole_u32(deserializer).map(Some)
}

/// `number` as a `u32` if it is a whole number in range (`4547.0` included).
pub fn as_whole_u32(number: &serde_json::Number) -> Option<u32> {
    let whole = match (number.as_u64(), number.as_f64()) {
        (Some(value), _) => Some(value),
        (None, Some(value)) if value.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&value) => Some(value as u64),
        _ => None,
    };
    whole.and_then(|value| u32::try_from(value).ok())
}

fn is_object_or_null(bytes: &[u8]) -> bool {
    let text = bytes.trim_ascii();
    text.first() == Some(&b'{') || text == b"null"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_objects_and_null_pass() {
        for good in [&b"{}"[..], b" {\"name\": \"ci\"}", b"null", b"\n null \n"] {
            assert!(is_object_or_null(good), "{:?}", String::from_utf8_lossy(good));
        }
        for bad in [&b"[null]"[..], b"[\"ci\"]", b"\"ci\"", b"1", b"", b"nullx", b"true"] {
            assert!(!is_object_or_null(bad), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
