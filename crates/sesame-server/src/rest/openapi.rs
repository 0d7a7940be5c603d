//! The parts of the OpenAPI document that no handler carries: title, tags, and the two
//! ways to present a key. Paths and schemas come from the handlers' `#[utoipa::path]`.

use utoipa::{
    openapi::{
        header::HeaderBuilder,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme},
        Ref, RefOr, ResponseBuilder,
    },
    Modify, OpenApi, ToSchema,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sésame API",
        version = "1",
        description = "Manage your API keys and your organization's users. Every request \
            carries an API key in the `MC-Api-Key` header (or `Authorization: Bearer`); the \
            key acts with exactly its owner's privileges. Success: `{\"data\": …}`; failure: \
            `{\"errors\": [{\"code\", \"message\", \"context\"}]}`."
    ),
    tags(
        (name = "me", description = "The key's owner"),
        (name = "api_keys", description = "The key owner's API keys"),
        (name = "users", description = "The organization's users"),
        (name = "activity", description = "What happened, and who did it"),
    ),
    modifiers(&KeySecurity),
    security(("MC-Api-Key" = []), ("bearer" = []))
)]
pub struct ApiDoc;

struct KeySecurity;

impl Modify for KeySecurity {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "MC-Api-Key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "MC-Api-Key",
                "An API key from User settings → API credentials",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("The same API key as a bearer token"))
                    .build(),
            ),
        );
    }
}

/// What operations answer whatever they do, written once here rather than on each handler:
/// 401 (every operation takes a key) with its `WWW-Authenticate` header, 413 where there is
/// a body, 429 with `Retry-After` (rate limits), and 503 while the database is unreachable. Applied once the handlers' paths are
/// in (the derive's modifiers run before that).
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            let body = utoipa::openapi::ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(super::error::ErrorResponse::name())))
                .build();
            ResponseBuilder::new().description(description).content("application/json", body)
        };
        let challenge = HeaderBuilder::new()
            .description(Some("How to authenticate: `MC-Api-Key` or `Bearer`"))
            .build();
        let refused = error("Missing or invalid key").header("WWW-Authenticate", challenge).build();
        let retry_after = HeaderBuilder::new()
            .description(Some("Seconds to wait before retrying"))
            .schema(Some(utoipa::openapi::ObjectBuilder::new().schema_type(utoipa::openapi::Type::Integer)))
            .build();
        let throttled = error("Too many failed authentications from this address, or too many requests with this key")
            .header("Retry-After", retry_after)
            .build();
        let too_large = error("The body is larger than 64 KiB").build();
        let unavailable = error("The database is unavailable; retry shortly").build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.patch, &mut item.put, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                responses.insert("401".into(), RefOr::T(refused.clone()));
                responses.insert("429".into(), RefOr::T(throttled.clone()));
                if operation.request_body.is_some() {
                    responses.insert("413".into(), RefOr::T(too_large.clone()));
                }
                responses.insert("503".into(), RefOr::T(unavailable.clone()));
            }
        }
    }
}
