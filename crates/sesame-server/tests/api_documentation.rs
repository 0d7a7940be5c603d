//! The OpenAPI document and the docs page, as served.

mod support;

use reqwest::{Client, Method, StatusCode};
use serde_json::Value;
use support::TestServer;

async fn openapi(server: &TestServer) -> Value {
    let response = Client::new().get(server.url("/api/v1/openapi.json")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["content-type"], "application/json");
    response.json().await.unwrap()
}

#[tokio::test]
async fn the_openapi_document_describes_every_endpoint_with_the_key_scheme() {
    let server = TestServer::start().await;
    let document = openapi(&server).await;
    assert_eq!(document["servers"][0]["url"], server.base_url.as_str());
    let scheme = &document["components"]["securitySchemes"]["MC-Api-Key"];
    assert_eq!(scheme["type"], "apiKey");
    assert_eq!(scheme["in"], "header");
    assert_eq!(scheme["name"], "MC-Api-Key");
    assert_eq!(document["security"][0]["MC-Api-Key"], serde_json::json!([]));

    let expected = [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/api_keys"),
        ("post", "/api/v1/api_keys"),
        ("get", "/api/v1/api_keys/{id}"),
        ("patch", "/api/v1/api_keys/{id}"),
        ("delete", "/api/v1/api_keys/{id}"),
        ("post", "/api/v1/api_keys/revoke"),
        ("post", "/api/v1/api_keys/{id}/roll"),
        ("get", "/api/v1/api_keys/{id}/usage"),
        ("delete", "/api/v1/api_keys/{id}/previous_secret"),
        ("post", "/api/v1/api_keys/{id}/transfer"),
        ("get", "/api/v1/organization"),
        ("patch", "/api/v1/organization"),
        ("get", "/api/v1/users"),
        ("post", "/api/v1/users"),
        ("get", "/api/v1/users/{id}"),
        ("patch", "/api/v1/users/{id}"),
        ("get", "/api/v1/users/{id}/offboarding"),
        ("get", "/api/v1/service_accounts"),
        ("post", "/api/v1/service_accounts"),
        ("get", "/api/v1/service_accounts/{id}"),
        ("patch", "/api/v1/service_accounts/{id}"),
        ("delete", "/api/v1/service_accounts/{id}"),
        ("get", "/api/v1/service_accounts/{id}/trust_rules"),
        ("post", "/api/v1/service_accounts/{id}/trust_rules"),
        ("get", "/api/v1/service_accounts/{id}/trust_rules/{ruleId}"),
        ("patch", "/api/v1/service_accounts/{id}/trust_rules/{ruleId}"),
        ("delete", "/api/v1/service_accounts/{id}/trust_rules/{ruleId}"),
        ("post", "/api/v1/service_accounts/{id}/trust_rules/{ruleId}/test"),
        ("post", "/api/v1/oauth/token"),
        ("post", "/api/v1/me/password"),
        ("get", "/api/v1/me/sessions"),
        ("delete", "/api/v1/me/sessions/{id}"),
        ("get", "/api/v1/activity"),
    ];
    let mut documented = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            documented.push((method.clone(), path.clone()));
            let responses = operation["responses"].as_object().unwrap();
            // `security: [{}]`: the operations that take no key (reporting leaked keys, and a
            // CI job's token exchange).
            let takes_a_key = operation["security"] != serde_json::json!([{}]);
            if takes_a_key {
                let refused = &responses["401"];
                assert!(refused["headers"]["WWW-Authenticate"].is_object(), "{method} {path}");
            } else {
                assert!(!responses.contains_key("401"), "{method} {path}");
            }
            assert!(responses.contains_key("503"), "{method} {path}");
            // Every schema a response or body names exists.
            for reference in references(operation) {
                let name = reference.trim_start_matches("#/components/schemas/");
                assert!(document["components"]["schemas"][name].is_object(), "{reference}");
            }
            // And the route is really served: without a key it is refused, not unknown (the
            // keyless ones: refused for their missing body).
            let url = server.url(&path.replace("{id}", "00000000-0000-4000-8000-000000000000").replace("{ruleId}", "00000000-0000-4000-8000-000000000001"));
            let method = Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let status = Client::new().request(method.clone(), url).send().await.unwrap().status();
            let refused = if takes_a_key { StatusCode::UNAUTHORIZED } else { StatusCode::BAD_REQUEST };
            assert_eq!(status, refused, "{method} {path}");
        }
    }
    let mut expected: Vec<_> = expected.iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    expected.sort();
    documented.sort();
    assert_eq!(documented, expected);
}

fn references(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map
            .iter()
            .flat_map(|(key, inner)| match (key.as_str(), inner) {
                ("$ref", Value::String(reference)) => vec![reference.clone()],
                _ => references(inner),
            })
            .collect(),
        Value::Array(items) => items.iter().flat_map(references).collect(),
        _ => Vec::new(),
    }
}

#[tokio::test]
async fn the_docs_page_shows_this_instances_endpoint_in_the_readers_language() {
    let server = TestServer::start().await;
    let get = |path: &str, language: Option<&str>| {
        let mut request = Client::new().get(server.url(path));
        if let Some(language) = language {
            request = request.header("accept-language", language);
        }
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let english = get("/api-docs", None).await;
    assert!(english.contains(&format!("--url '{}/api/v1/me'", server.base_url)));
    assert!(english.contains("--header 'MC-Api-Key: {api-key}'"));
    assert!(english.contains("Sésame API documentation"));
    // Keyless CI: ready steps for GitHub Actions and GitLab CI, with this instance's URL as
    // the token's audience and the exchange's endpoint, in the reader's language.
    assert!(english.contains(&format!("$ACTIONS_ID_TOKEN_REQUEST_URL&amp;audience={}", server.base_url)));
    assert!(english.contains(&format!("aud: {}", server.base_url)));
    assert!(english.contains(&format!("curl -sSf '{}/api/v1/oauth/token'", server.base_url)));
    assert!(english.contains("GitHub Actions step") && english.contains("GitLab CI job"));
    // From the browser's preferences, or from ?lang= (the console's link passes it).
    let french = get("/api-docs", Some("fr-CA,fr;q=0.9")).await;
    assert!(french.contains("Documentation de l'API Sésame"), "{french}");
    assert!(french.contains("L'utilisateur au nom duquel la clé agit."));
    assert!(french.contains("Étape GitHub Actions") && french.contains("CI sans clé"));
    assert!(get("/api-docs?lang=fr", None).await.contains(r#"<html lang="fr">"#));
    assert!(get("/api-docs?lang=en", Some("fr")).await.contains(r#"<html lang="en">"#));
    let spanish = get("/api-docs", Some("es-MX,es;q=0.9,en;q=0.5")).await;
    assert!(spanish.contains(r#"<html lang="es">"#) && spanish.contains("Documentación de la API de Sésame"), "{spanish}");
    // The language chosen in the console comes before the browser's.
    let chosen = Client::new().get(server.url("/api-docs")).header("accept-language", "en").header("cookie", "sesame_language=es");
    assert!(chosen.send().await.unwrap().text().await.unwrap().contains(r#"<html lang="es">"#));
    assert!(spanish.contains("El usuario en cuyo nombre actúa la clave."));
    assert!(spanish.contains("Paso de GitHub Actions") && spanish.contains("CI sin claves"));
    // Each page links to the two others, each named in its own language.
    assert!(spanish.contains(r#"<a href="/api-docs?lang=en" hreflang="en" lang="en">English</a>"#));
    assert!(spanish.contains(r#"<a href="/api-docs?lang=fr" hreflang="fr" lang="fr">Français</a>"#));
    assert!(!spanish.contains(r#"hreflang="es""#));
    // Self-contained: its only style sheet is ours, and there is no script at all.
    assert!(english.contains(r#"<link rel="stylesheet" href="/api-docs.css">"#));
    assert!(!english.contains("<script") && !english.contains("https://cdn"));
    // The console's theme cookie sets the page's theme; without it the system's applies.
    let themed = |cookie: &'static str| {
        let request = Client::new().get(server.url("/api-docs?lang=en")).header("cookie", cookie);
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    assert!(themed("sesame_language=fr; sesame_theme=dark").await.contains(r#"<html lang="en" data-theme="dark">"#));
    assert!(themed("sesame_theme=light").await.contains(r#"<html lang="en" data-theme="light">"#));
    assert!(themed("sesame_theme=\"><script>").await.contains(r#"<html lang="en">"#));
    assert!(english.contains(r#"<html lang="en">"#));
    let css = Client::new().get(server.url("/api-docs.css")).send().await.unwrap();
    assert_eq!(css.status(), StatusCode::OK);
    assert!(css.headers()["content-type"].to_str().unwrap().starts_with("text/css"));
}
