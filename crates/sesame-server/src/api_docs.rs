//! `/api-docs`: the page the panel's *API docs* link opens. Served by us, no CDN, in the
//! reader's language, with a ready curl example that uses this instance's endpoint URL.

use axum::{
    extract::State,
    http::{header, HeaderMap},
    response::{Html, IntoResponse, Response},
};

use crate::app::AppState;

struct Texts {
    lang: &'static str,
    title: &'static str,
    intro: &'static str,
    auth: &'static str,
    endpoints: &'static str,
    errors: &'static str,
    rows: [&'static str; 5],
}

const EN: Texts = Texts {
    lang: "en",
    title: "Sésame API",
    intro: "Every call carries an API key, generated under User settings → API credentials, in the MC-Api-Key header (Authorization: Bearer works too). A key acts with exactly the privileges of its owner. Responses are JSON: {\"data\": …} on success, {\"errors\": [{code, message, context}]} on failure.",
    auth: "Try it",
    endpoints: "Endpoints",
    errors: "A missing, malformed, unknown or deleted key gets 401 with the code invalid_credentials. Other errors: 400 invalid_request, 404 not_found, 409 conflict, 413 payload_too_large.",
    rows: [
        "The user the key acts as.",
        "Your API keys (never their secrets).",
        "Generate a key. Body {\"name\"?}. Answers 201 with its secret, the only time it is shown.",
        "Rename a key. Body {\"name\"}.",
        "Delete a key. Answers 204; the key is refused from the next request on.",
    ],
};

const FR: Texts = Texts {
    lang: "fr",
    title: "API Sésame",
    intro: "Chaque appel porte une clé API, générée dans Paramètres de l'utilisateur → Identifiants d'API, dans l'en-tête MC-Api-Key (Authorization: Bearer convient aussi). Une clé agit avec exactement les privilèges de son propriétaire. Les réponses sont en JSON : {\"data\": …} en cas de succès, {\"errors\": [{code, message, context}]} en cas d'échec.",
    auth: "Essayer",
    endpoints: "Points de terminaison",
    errors: "Une clé absente, mal formée, inconnue ou supprimée reçoit 401 avec le code invalid_credentials. Autres erreurs : 400 invalid_request, 404 not_found, 409 conflict, 413 payload_too_large.",
    rows: [
        "L'utilisateur au nom duquel la clé agit.",
        "Vos clés API (jamais leurs secrets).",
        "Générer une clé. Corps {\"name\"?}. Répond 201 avec son secret, seule fois où il est montré.",
        "Renommer une clé. Corps {\"name\"}.",
        "Supprimer une clé. Répond 204 ; la clé est refusée dès la requête suivante.",
    ],
};

const ENDPOINTS: [(&str, &str); 5] = [
    ("GET", "/me"),
    ("GET", "/api_keys"),
    ("POST", "/api_keys"),
    ("PATCH", "/api_keys/{id}"),
    ("DELETE", "/api_keys/{id}"),
];

fn prefers_french(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(',').next())
        .is_some_and(|first| first.trim().to_ascii_lowercase().starts_with("fr"))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

pub async fn page(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let texts = if prefers_french(&headers) { &FR } else { &EN };
    let endpoint = escape(&state.config.endpoint_url());
    let rows: String = ENDPOINTS
        .iter()
        .zip(texts.rows)
        .map(|((method, path), what)| {
            format!("<tr><td><code>{method}</code></td><td><code>{endpoint}{}</code></td><td>{}</td></tr>", escape(path), escape(what))
        })
        .collect();
    let curl = format!(
        "curl --request GET \\\n  --url {endpoint}/me \\\n  --header 'MC-Api-Key: {{api-key}}'"
    );
    let html = format!(
        r#"<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title><style>
body{{font-family:"Helvetica Neue",Arial,sans-serif;color:#2b2f33;max-width:900px;margin:40px auto;padding:0 20px;line-height:1.5}}
h1{{font-weight:400}} table{{border-collapse:collapse;width:100%}} td{{border-bottom:1px solid #e3e6e9;padding:8px;vertical-align:top}}
pre{{background:#f4f5f7;padding:14px;border-radius:6px;overflow-x:auto}} code{{font-family:"DejaVu Sans Mono",Menlo,monospace;font-size:13px}}
</style></head><body><h1>{title}</h1><p>{intro}</p><h2>{auth}</h2><pre><code>{curl}</code></pre>
<h2>{endpoints}</h2><table>{rows}</table><p>{errors}</p></body></html>"#,
        lang = texts.lang,
        title = texts.title,
        intro = escape(texts.intro),
        auth = texts.auth,
        endpoints = texts.endpoints,
        errors = escape(texts.errors),
    );
    ([(header::CONTENT_LANGUAGE, texts.lang)], Html(html)).into_response()
}
