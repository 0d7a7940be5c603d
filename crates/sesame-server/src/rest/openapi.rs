//! The parts of the OpenAPI document that no handler carries: title, tags, and the two
//! ways to present a key. Paths and schemas come from the handlers' `#[utoipa::path]`.

use utoipa::{
    openapi::{
        header::HeaderBuilder,
        path::Operation,
        security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme},
        KnownFormat, ObjectBuilder, Ref, RefOr, ResponseBuilder, SchemaFormat, Type,
    },
    Modify, OpenApi, ToSchema,
};

use sesame_core::model::Permission;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sésame API",
        // The published version (CHANGELOG.md, api/versions/): a breaking change takes a new major.
        version = "3.1.0",
        description = "Manage your API keys, your organization's users and its service accounts. Every request \
            carries an API key in the `MC-Api-Key` header (or `Authorization: Bearer`); the \
            key acts with its owner's privileges, or fewer if it was given scopes. Success: `{\"data\": …}`; failure: \
            `{\"errors\": [{\"code\", \"message\", \"context\"}]}`."
    ),
    tags(
        (name = "me", description = "The key's owner"),
        (name = "api_keys", description = "The key owner's API keys"),
        (name = "organization", description = "The organization's rules for keys"),
        (name = "users", description = "The organization's users"),
        (name = "service_accounts", description = "Accounts that own keys and never log in, so that a job's key outlives the person who made it"),
        (name = "trust_rules", description = "Which CI jobs may trade their platform's OIDC token for a short-lived key of a service account"),
        (name = "oauth", description = "Keyless CI: a job's OIDC token traded for a key that lives minutes (RFC 8693)"),
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

/// The operation asks for the permission `needed` needs in its security requirements (the
/// scopes of the `apiKey` and `bearer` schemes, as OpenAPI 3.1 allows) and says in its 403
/// answer what a key may be refused for.
fn require_scope(operation: &mut Operation, needed: sesame_core::model::Operation, error: &dyn Fn(&str) -> ResponseBuilder) {
    use sesame_core::model::Operation::{CreateUser, UpdateUser};
    let permission = needed.permission();
    let scopes = vec![permission.as_str().to_owned()];
    operation.security = Some(vec![
        SecurityRequirement::new("MC-Api-Key", scopes.clone()),
        SecurityRequirement::new("bearer", scopes),
    ]);
    let mut refused = format!(
        "`insufficient_scope`: the key's scopes do not include `{permission}`; `address_not_allowed`: the key's allow-list does not cover the client's address"
    );
    if permission == Permission::ApiKeysWrite {
        refused.push_str(
            "; `scope_exceeds_key`, `restriction_exceeds_key`: the key made or changed would have more permissions, or be usable from more addresses, faster or longer, than the key making the request; `previous_secret_not_allowed`: the request came with the key's previous secret, which manages no key",
        );
    }
    if matches!(needed, CreateUser | UpdateUser) {
        refused.push_str(
            "; `account_exceeds_key`: creating or promoting an administrator, or enabling an account, takes the console or a full-access key with no allow-list or rate limit",
        );
    }
    let description = match operation.responses.responses.get("403") {
        Some(RefOr::T(existing)) => format!("{}; {refused}", existing.description),
        _ => refused,
    };
    let challenge = text_header("For `insufficient_scope`: `Bearer error=\"insufficient_scope\", scope=\"<permission>\"` (RFC 6750)", 128);
    operation.responses.responses.insert("403".into(), RefOr::T(error(&description).header("WWW-Authenticate", challenge).build()));
}

/// What operations answer whatever they do, written once here rather than on each handler:
/// 401 (every operation that takes a key) with its `WWW-Authenticate` header, 413 where there is
/// a body, 429 with `Retry-After` (rate limits), 500 with the id of the error logged, and
/// 503 while the database is unreachable; and on every answer the `RateLimit` and
/// `RateLimit-Policy` fields. Applied once the handlers' paths are in (the derive's
/// modifiers run before that).
pub struct CommonResponses;

/// A header's value as text of at most `max` characters.
fn text_header(description: &str, max: usize) -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .description(Some(description))
        .schema(Some(ObjectBuilder::new().schema_type(Type::String).max_length(Some(max))))
        .build()
}

impl Modify for CommonResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let error = |description: &str| {
            let body = utoipa::openapi::ContentBuilder::new()
                .schema(Some(Ref::from_schema_name(super::error::ErrorResponse::name())))
                .build();
            ResponseBuilder::new().description(description).content("application/json", body)
        };
        let challenge = text_header("How to authenticate: `MC-Api-Key` or `Bearer`", 64);
        let refused = error("Missing or invalid key").header("WWW-Authenticate", challenge).build();
        let retry_after = HeaderBuilder::new()
            .description(Some("Seconds to wait before retrying"))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .format(Some(SchemaFormat::KnownFormat(KnownFormat::Int64)))
                    .minimum(Some(1))
                    .maximum(Some(super::error::MAX_RETRY_AFTER_SECONDS)),
            ))
            .build();
        let throttled = error("Too many failed authentications from this address, or too many requests with this key")
            .header("Retry-After", retry_after)
            .build();
        let too_large = error("The body is larger than 64 KiB").build();
        let failed = error("An unexpected error; `context.errorId` names it in the server's log").build();
        let unavailable = error("The database is unavailable; retry shortly").build();
        let limit = text_header(
            "Where this client's address stands with the failed-authentication limit: `\"failed-auth\";r=<failures left>;t=<seconds until all are back>` (IETF RateLimit fields)",
            128,
        );
        let policy = text_header(
            "The failed-authentication limit: `\"failed-auth\";q=<failures>;w=<seconds>` per client address (IETF RateLimit fields)",
            128,
        );
        for item in openapi.paths.paths.values_mut() {
            let operations = [&mut item.get, &mut item.post, &mut item.patch, &mut item.put, &mut item.delete];
            for operation in operations.into_iter().flatten() {
                // `security(())`: the operation takes no key, so it never answers 401.
                let takes_a_key = !operation.security.as_ref().is_some_and(|ways| ways.iter().any(|way| *way == Default::default()));
                // The permission each operation needs comes from the one table the core applies.
                if let Some(needed) = operation.operation_id.as_deref().and_then(sesame_core::model::Operation::from_operation_id) {
                    require_scope(operation, needed, &error);
                }
                let responses = &mut operation.responses.responses;
                if takes_a_key {
                    responses.insert("401".into(), RefOr::T(refused.clone()));
                }
                responses.insert("429".into(), RefOr::T(throttled.clone()));
                if operation.request_body.is_some() {
                    responses.insert("413".into(), RefOr::T(too_large.clone()));
                }
                responses.insert("500".into(), RefOr::T(failed.clone()));
                responses.insert("503".into(), RefOr::T(unavailable.clone()));
                // The middleware adds them to every answer, server errors included.
                for response in responses.values_mut() {
                    if let RefOr::T(response) = response {
                        response.headers.insert("RateLimit".into(), RefOr::T(limit.clone()));
                        response.headers.insert("RateLimit-Policy".into(), RefOr::T(policy.clone()));
                    }
                }
            }
        }
    }
}
