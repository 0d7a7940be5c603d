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

/// What every operation may answer whatever it does: the 401's `WWW-Authenticate` header,
/// and 503 while the database is unreachable. Applied once the handlers' paths are in (the
/// derive's modifiers run before that).
pub struct CommonResponses;

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error_body = utoipa::openapi::ContentBuilder::new()
            .schema(Some(Ref::from_schema_name(super::ErrorResponse::name())))
            .build();
        let unavailable = ResponseBuilder::new()
            .description("The database is unavailable; retry shortly")
            .content("application/json", error_body)
            .build();
        let challenge = HeaderBuilder::new()
            .description(Some("How to authenticate: `MC-Api-Key` or `Bearer`"))
            .build();
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.patch, &mut item.put, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                if let Some(RefOr::T(refused)) = responses.get_mut("401") {
                    refused.headers.insert("WWW-Authenticate".into(), RefOr::T(challenge.clone()));
                }
                responses.insert("503".into(), RefOr::T(unavailable.clone()));
            }
        }
    }
}
