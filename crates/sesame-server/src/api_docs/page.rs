//! Renders the OpenAPI document (as JSON) into one self-contained HTML page: an overview,
//! then each operation grouped by tag — what it does, its parameters, body, responses and a
//! curl example against this instance — then the schemas.

use std::fmt::Write as _;

use serde_json::{json, Map, Value};

use sesame_api::preferences::Theme;

use crate::i18n::{catalogue, Language};

/// The page's words in one language.
trait Words {
    /// A text of the document in this language. Whitespace is normalized first (doc
    /// comments wrap lines). Another language falls back to English; a unit test makes sure that
    /// never happens for our own document.
    fn text(self, english: &str) -> String;
    fn label(self, label: Label) -> &'static str;
}

impl Words for Language {
    fn text(self, english: &str) -> String {
        let normalized = normalize(english);
        match self {
            Language::En => normalized,
            other => catalogue::translate(other, &normalized).map(str::to_owned).unwrap_or(normalized),
        }
    }

    fn label(self, label: Label) -> &'static str {
        catalogue::label(self, label.key())
    }
}

pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The page's own words (the document's come from the document).
#[derive(Clone, Copy)]
enum Label {
    Title,
    Authentication,
    AuthenticationText,
    Endpoint,
    Document,
    Operations,
    Parameters,
    Name,
    Location,
    Type,
    Required,
    Description,
    RequestBody,
    Responses,
    Status,
    Example,
    ExampleText,
    Schemas,
    Property,
    Yes,
    No,
    Envelope,
    Languages,
    Permission,
    KeylessCi,
    KeylessCiText,
    GithubActionsStep,
    GitlabCiJob,
}

impl Label {
    /// Its key in the catalogue's `docs_page` part.
    fn key(self) -> &'static str {
        match self {
            Label::Title => "title",
            Label::Authentication => "authentication",
            Label::AuthenticationText => "authentication_text",
            Label::Endpoint => "endpoint",
            Label::Document => "document",
            Label::Operations => "operations",
            Label::Parameters => "parameters",
            Label::Name => "name",
            Label::Location => "location",
            Label::Type => "type",
            Label::Required => "required",
            Label::Description => "description",
            Label::RequestBody => "request_body",
            Label::Responses => "responses",
            Label::Status => "status",
            Label::Example => "example",
            Label::ExampleText => "example_text",
            Label::Schemas => "schemas",
            Label::Property => "property",
            Label::Yes => "yes",
            Label::No => "no",
            Label::Envelope => "envelope",
            Label::Languages => "languages",
            Label::Permission => "permission",
            Label::KeylessCi => "keyless_ci",
            Label::KeylessCiText => "keyless_ci_text",
            Label::GithubActionsStep => "github_actions_step",
            Label::GitlabCiJob => "gitlab_ci_job",
        }
    }
}

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// The document's texts are CommonMark (doc comments write `code` and the like), rendered
/// inline: code, emphasis and links to http(s), mailto or this site stay; anything else —
/// raw HTML, images, lists, headings, a link to `javascript:` — is reduced to its text. The
/// texts are ours, but they must never be able to add markup or script to the page.
fn markdown(text: &str) -> String {
    use pulldown_cmark::{CowStr, Event, Parser, Tag, TagEnd};
    fn safe_destination(url: &str) -> bool {
        let lower = url.trim_start().to_ascii_lowercase();
        ["http://", "https://", "mailto:", "/", "#"].iter().any(|allowed| lower.starts_with(allowed))
    }
    let mut kept_links = Vec::new();
    let events = Parser::new(text).filter_map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
        Event::Start(Tag::Link { link_type, dest_url, title, id }) => {
            let keep = safe_destination(&dest_url);
            kept_links.push(keep);
            keep.then_some(Event::Start(Tag::Link { link_type, dest_url, title, id }))
        }
        Event::End(TagEnd::Link) => kept_links.pop().unwrap_or(false).then_some(Event::End(TagEnd::Link)),
        Event::Start(tag @ (Tag::Paragraph | Tag::Emphasis | Tag::Strong | Tag::Strikethrough)) => Some(Event::Start(tag)),
        Event::End(tag @ (TagEnd::Paragraph | TagEnd::Emphasis | TagEnd::Strong | TagEnd::Strikethrough)) => Some(Event::End(tag)),
        // Every other block or image: its text only, words kept apart.
        Event::Start(_) => None,
        Event::End(_) => Some(Event::Text(CowStr::Borrowed(" "))),
        Event::SoftBreak | Event::HardBreak => Some(Event::Text(CowStr::Borrowed(" "))),
        other => Some(other),
    });
    let mut html = String::with_capacity(text.len() + 16);
    pulldown_cmark::html::push_html(&mut html, events);
    let inline = html.replace("<p>", "").replace("</p>", " ");
    inline.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn str_at<'a>(value: &'a Value, pointer: &str) -> &'a str {
    value.pointer(pointer).and_then(Value::as_str).unwrap_or_default()
}

/// One operation, located in the document.
struct Operation<'a> {
    method: &'a str,
    path: &'a str,
    body: &'a Value,
}

impl Operation<'_> {
    fn anchor(&self) -> &str {
        str_at(self.body, "/operationId")
    }
}

fn operations(document: &Value) -> Vec<Operation<'_>> {
    let mut found = Vec::new();
    if let Some(paths) = document.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            for method in METHODS {
                if let Some(body) = item.get(method) {
                    found.push(Operation { method, path, body });
                }
            }
        }
    }
    found
}

pub fn render(document: &Value, language: Language, theme: Theme) -> String {
    let l = |label| language.label(label);
    let server = str_at(document, "/servers/0/url");
    let endpoint = format!("{server}/api/v1");
    let operations = operations(document);
    let mut html = String::new();
    // The page in each other language, each link named in its own language.
    let other_languages: String = Language::ALL
        .into_iter()
        .filter(|other| *other != language)
        .map(|other| format!(r#"<a href="/api-docs?lang={0}" hreflang="{0}" lang="{0}">{1}</a>"#, other.as_str(), other.own_name()))
        .collect();
    let _ = write!(
        html,
        r#"<!DOCTYPE html><html lang="{lang}"{theme}><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title}</title><link rel="stylesheet" href="/api-docs.css"></head><body><header><h1>{title}</h1><nav class="languages" aria-label="{languages}">{other_languages}</nav></header><main><p>{intro}</p><h2>{auth}</h2><p>{auth_text}</p><dl><dt>{endpoint_label}</dt><dd><code>{endpoint}</code></dd><dt>{document_label}</dt><dd><a href="/api/v1/openapi.json"><code>{server}/api/v1/openapi.json</code></a></dd></dl>"#,
        lang = language.as_str(),
        theme = theme.attribute().map(|value| format!(r#" data-theme="{value}""#)).unwrap_or_default(),
        title = l(Label::Title),
        languages = l(Label::Languages),
        intro = markdown(&language.text(str_at(document, "/info/description"))),
        auth = l(Label::Authentication),
        auth_text = escape(l(Label::AuthenticationText)),
        endpoint_label = l(Label::Endpoint),
        endpoint = escape(&endpoint),
        document_label = l(Label::Document),
        server = escape(server),
    );

    let _ = write!(html, "<nav><h2>{}</h2><ul>", l(Label::Operations));
    for operation in &operations {
        let _ = write!(
            html,
            r##"<li><a href="#{anchor}"><span class="method {method}">{upper}</span> <code>{path}</code></a> {summary}</li>"##,
            anchor = escape(operation.anchor()),
            method = operation.method,
            upper = operation.method.to_uppercase(),
            path = escape(operation.path),
            summary = markdown(&language.text(str_at(operation.body, "/summary"))),
        );
    }
    html.push_str("</ul></nav>");

    for tag in document.get("tags").and_then(Value::as_array).into_iter().flatten() {
        let name = str_at(tag, "/name");
        let _ = write!(html, r#"<section class="tag"><h2 id="tag-{0}">{1}</h2>"#, escape(name), markdown(&language.text(str_at(tag, "/description"))));
        if name == "oauth" {
            render_keyless_ci(&mut html, server, language);
        }
        for operation in operations.iter().filter(|op| has_tag(op, name)) {
            render_operation(&mut html, document, operation, server, language);
        }
        html.push_str("</section>");
    }

    render_schemas(&mut html, document, language);
    html.push_str("</main></body></html>");
    html
}

/// Ready-made CI steps that trade the job's token for a key, with this instance's URL as
/// the token's audience (a rule's default) and as the endpoint.
fn render_keyless_ci(html: &mut String, server: &str, language: Language) {
    let l = |label| language.label(label);
    let exchange = |token: &str| {
        format!(
            "curl -sSf '{server}/api/v1/oauth/token' \\\n  --data-urlencode 'grant_type=urn:ietf:params:oauth:grant-type:token-exchange' \\\n  --data-urlencode \"subject_token={token}\" \\\n  --data-urlencode 'subject_token_type=urn:ietf:params:oauth:token-type:jwt' | jq -r .access_token"
        )
    };
    let github = format!(
        "permissions:\n  id-token: write\nsteps:\n  - name: Get a Sésame key\n    run: |\n      OIDC_TOKEN=$(curl -sSf -H \"Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN\" \\\n        \"$ACTIONS_ID_TOKEN_REQUEST_URL&audience={server}\" | jq -r .value)\n      SESAME_KEY=$({})\n      echo \"::add-mask::$SESAME_KEY\"\n      echo \"SESAME_KEY=$SESAME_KEY\" >> \"$GITHUB_ENV\"",
        exchange("$OIDC_TOKEN").replace('\n', "\n        ")
    );
    let gitlab = format!(
        "deploy:\n  id_tokens:\n    SESAME_ID_TOKEN:\n      aud: {server}\n  script:\n    - |\n      SESAME_KEY=$({})\n      curl -sSf -H \"MC-Api-Key: $SESAME_KEY\" '{server}/api/v1/me'",
        exchange("$SESAME_ID_TOKEN").replace('\n', "\n        ")
    );
    let _ = write!(
        html,
        r#"<h3 id="keyless-ci">{}</h3><p>{}</p><h4>{}</h4><pre class="ci" tabindex="0"><code>{}</code></pre><h4>{}</h4><pre class="ci" tabindex="0"><code>{}</code></pre>"#,
        l(Label::KeylessCi),
        escape(l(Label::KeylessCiText)),
        l(Label::GithubActionsStep),
        escape(&github),
        l(Label::GitlabCiJob),
        escape(&gitlab),
    );
}

fn has_tag(operation: &Operation<'_>, tag: &str) -> bool {
    operation.body.get("tags").and_then(Value::as_array).is_some_and(|tags| tags.iter().any(|t| t == tag))
}

fn render_operation(html: &mut String, document: &Value, operation: &Operation<'_>, server: &str, language: Language) {
    let l = |label| language.label(label);
    let _ = write!(
        html,
        r#"<article class="operation" id="{anchor}"><h3><span class="method {method}">{upper}</span> <code>{path}</code></h3><p class="summary">{summary}</p>"#,
        anchor = escape(operation.anchor()),
        method = operation.method,
        upper = operation.method.to_uppercase(),
        path = escape(operation.path),
        summary = markdown(&language.text(str_at(operation.body, "/summary"))),
    );
    let description = str_at(operation.body, "/description");
    if !description.is_empty() {
        let _ = write!(html, "<p>{}</p>", markdown(&language.text(description)));
    }
    // The permission a key's scopes must include (the first way to present a key says it
    // for all of them).
    let scopes = operation.body.pointer("/security/0").and_then(Value::as_object).and_then(|way| way.values().next()).and_then(Value::as_array);
    if let Some(permission) = scopes.and_then(|scopes| scopes.first()).and_then(Value::as_str) {
        let _ = write!(html, r#"<p class="permission">{}: <code>{}</code></p>"#, l(Label::Permission), escape(permission));
    }

    let parameters = operation.body.get("parameters").and_then(Value::as_array).cloned().unwrap_or_default();
    if !parameters.is_empty() {
        let _ = write!(
            html,
            "<h4>{}</h4><table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            l(Label::Parameters), l(Label::Name), l(Label::Location), l(Label::Type), l(Label::Required), l(Label::Description)
        );
        for parameter in &parameters {
            let required = parameter.get("required").and_then(Value::as_bool).unwrap_or(false);
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(str_at(parameter, "/name")),
                escape(str_at(parameter, "/in")),
                escape(&type_of(parameter.get("schema").unwrap_or(&Value::Null))),
                l(if required { Label::Yes } else { Label::No }),
                markdown(&language.text(str_at(parameter, "/description"))),
            );
        }
        html.push_str("</table>");
    }

    let form_schema = operation.body.pointer("/requestBody/content/application~1x-www-form-urlencoded/schema").map(|schema| resolve(document, schema));
    let body_schema = operation.body.pointer("/requestBody/content/application~1json/schema");
    let example_body = body_schema.map(|schema| example(document, schema, 0));
    if let Some(schema) = body_schema {
        let _ = write!(html, "<h4>{}</h4><p><code>{}</code>", l(Label::RequestBody), escape(&type_of(schema)));
        let description = str_at(operation.body, "/requestBody/description");
        if !description.is_empty() {
            let _ = write!(html, " — {}", markdown(&language.text(description)));
        }
        html.push_str("</p>");
    }

    let _ = write!(html, "<h4>{}</h4><table><tr><th>{}</th><th>{}</th><th>{}</th></tr>", l(Label::Responses), l(Label::Status), l(Label::Description), l(Label::Type));
    if let Some(responses) = operation.body.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            let schema = response.pointer("/content/application~1json/schema");
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td>{}</td><td><code>{}</code></td></tr>",
                escape(status),
                markdown(&language.text(str_at(response, "/description"))),
                escape(&schema.map(type_of).unwrap_or_default()),
            );
        }
    }
    html.push_str("</table>");

    let curl = match form_schema {
        Some(form) => curl_form_example(server, operation, form),
        None => curl_example(server, operation, example_body.as_ref()),
    };
    let _ = write!(
        html,
        r#"<h4>{}</h4><p>{}</p><pre class="curl" tabindex="0" data-operation="{}"><code>{}</code></pre></article>"#,
        l(Label::Example),
        escape(l(Label::ExampleText)),
        escape(operation.anchor()),
        escape(&curl),
    );
}

/// A curl command for the operation, in the knowledge base's style: the key as the
/// `{api-key}` placeholder, path ids as `{id}`, and an example body where one is taken.
fn curl_example(server: &str, operation: &Operation<'_>, body: Option<&Value>) -> String {
    let mut lines = vec![
        format!("curl --request {}", operation.method.to_uppercase()),
        format!("  --url '{server}{}'", operation.path),
        "  --header 'MC-Api-Key: {api-key}'".to_owned(),
    ];
    if let Some(body) = body {
        lines.push("  --header 'Content-Type: application/json'".to_owned());
        // No single quote can appear in our examples; escape anyway for the shell.
        let data = serde_json::to_string(body).unwrap_or_default().replace('\'', r"'\''");
        lines.push(format!("  --data '{data}'"));
    }
    lines.join(" \\\n")
}

/// The curl command for an operation that takes a form and no key (the token exchange):
/// each required field with its example, or a `{field}` placeholder.
fn curl_form_example(server: &str, operation: &Operation<'_>, form: &Value) -> String {
    let mut lines = vec![format!("curl --request {}", operation.method.to_uppercase()), format!("  --url '{server}{}'", operation.path)];
    let required = form.get("required").and_then(Value::as_array).cloned().unwrap_or_default();
    for field in required.iter().filter_map(Value::as_str) {
        let example = form.pointer(&format!("/properties/{field}/example")).and_then(Value::as_str);
        let value = example.map_or_else(|| format!("{{{}}}", field.replace('_', "-")), str::to_owned);
        lines.push(format!("  --data-urlencode '{field}={value}'"));
    }
    lines.join(" \\\n")
}

fn resolve<'a>(document: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => reference
            .strip_prefix('#')
            .and_then(|pointer| document.pointer(pointer))
            .unwrap_or(schema),
        None => schema,
    }
}

/// A short name for a schema: the component's name, `array of X`, or the JSON type.
fn type_of(schema: &Value) -> String {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        // The generic envelopes, spelled as what they are.
        return match (name.strip_prefix("Data_"), name.strip_prefix("List_")) {
            (Some(inner), _) => format!("{{\"data\": {inner}}}"),
            (_, Some(inner)) => format!("{{\"data\": [{inner}], \"metadata\": PageMetadata}}"),
            _ => name.to_owned(),
        };
    }
    for combinator in ["oneOf", "anyOf", "allOf"] {
        if let Some(options) = schema.get(combinator).and_then(Value::as_array) {
            let names: Vec<String> = options.iter().map(type_of).collect();
            return names.join(if combinator == "allOf" { " & " } else { " | " });
        }
    }
    let base = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(" | "),
        Some(Value::String(kind)) if kind == "array" => {
            format!("array of {}", type_of(schema.get("items").unwrap_or(&Value::Null)))
        }
        Some(Value::String(kind)) => kind.clone(),
        _ => "object".to_owned(),
    };
    match schema.get("format").and_then(Value::as_str) {
        Some(format) => format!("{base} ({format})"),
        None => base,
    }
}

/// An example value for a schema: its own example, else its first enum value, else a
/// plausible value for its type. Objects list their properties.
fn example(document: &Value, schema: &Value, depth: usize) -> Value {
    let schema = resolve(document, schema);
    if depth > 6 {
        return Value::Null;
    }
    if let Some(example) = schema.get("example") {
        return example.clone();
    }
    if let Some(first) = schema.get("enum").and_then(Value::as_array).and_then(|values| values.first()) {
        return first.clone();
    }
    if let Some(options) = schema.get("oneOf").or_else(|| schema.get("anyOf")).and_then(Value::as_array) {
        let chosen = options.iter().find(|option| option.get("type") != Some(&json!("null")));
        return chosen.map(|option| example(document, option, depth + 1)).unwrap_or(Value::Null);
    }
    let kind = match schema.get("type") {
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("object"),
        Some(Value::String(kind)) => kind.as_str(),
        _ => "object",
    };
    match kind {
        "object" => {
            let mut object = Map::new();
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, property) in properties {
                    object.insert(name.clone(), example(document, property, depth + 1));
                }
            }
            Value::Object(object)
        }
        "array" => json!([example(document, schema.get("items").unwrap_or(&Value::Null), depth + 1)]),
        "integer" | "number" => schema.get("minimum").cloned().unwrap_or(json!(1)),
        "boolean" => json!(false),
        _ => json!("string"),
    }
}

fn render_schemas(html: &mut String, document: &Value, language: Language) {
    let l = |label| language.label(label);
    let _ = write!(html, r#"<section class="schemas"><h2 id="schemas">{}</h2><p>{}</p>"#, l(Label::Schemas), escape(l(Label::Envelope)));
    let Some(schemas) = document.pointer("/components/schemas").and_then(Value::as_object) else {
        html.push_str("</section>");
        return;
    };
    // The generic envelopes (Data_…, List_…) are described once above.
    for (name, schema) in schemas.iter().filter(|(name, _)| !name.contains('_')) {
        let _ = write!(html, r#"<h3 id="schema-{0}"><code>{0}</code></h3>"#, escape(name));
        let description = str_at(schema, "/description");
        if !description.is_empty() {
            let _ = write!(html, "<p>{}</p>", markdown(&language.text(description)));
        }
        if let Some(values) = schema.get("enum").and_then(Value::as_array) {
            let values: Vec<String> = values.iter().map(|v| format!("<code>{}</code>", escape(&v.to_string()))).collect();
            let _ = write!(html, "<p>{}</p>", values.join(" · "));
            continue;
        }
        let required: Vec<&str> = schema
            .get("required")
            .and_then(Value::as_array)
            .map(|names| names.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(properties) = schema.get("properties").and_then(Value::as_object) else { continue };
        let _ = write!(
            html,
            "<table><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr>",
            l(Label::Property), l(Label::Type), l(Label::Required), l(Label::Description)
        );
        for (property, definition) in properties {
            let _ = write!(
                html,
                "<tr><td><code>{}</code></td><td><code>{}</code></td><td>{}</td><td>{}</td></tr>",
                escape(property),
                escape(&type_of(definition)),
                l(if required.contains(&property.as_str()) { Label::Yes } else { Label::No }),
                markdown(&language.text(str_at(definition, "/description"))),
            );
        }
        html.push_str("</table>");
    }
    html.push_str("</section>");
}

/// Every text of the document that the page shows and translates.
#[cfg(test)]
pub fn translatable_texts(document: &Value) -> Vec<String> {
    fn walk(value: &Value, found: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, inner) in map {
                    match (key.as_str(), inner) {
                        ("summary" | "description", Value::String(text)) => found.push(normalize(text)),
                        _ => walk(inner, found),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|item| walk(item, found)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    walk(document, &mut found);
    found.retain(|text| !text.is_empty());
    found.sort();
    found.dedup();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn descriptions_render_their_markdown_and_never_markup() {
        assert_eq!(markdown("Send it in `MC-Api-Key`, *once*."), "Send it in <code>MC-Api-Key</code>, <em>once</em>.");
        assert_eq!(markdown("`{\"data\": …}` & more"), "<code>{\"data\": …}</code> &amp; more");
        assert_eq!(markdown("a <script>alert(1)</script> b"), "a &lt;script&gt;alert(1)&lt;/script&gt; b");
        assert_eq!(markdown("<img src=x onerror=alert(1)>"), "&lt;img src=x onerror=alert(1)&gt;");
        assert_eq!(markdown("[docs](https://example.com/a) and [bad](javascript:alert(1))"), "<a href=\"https://example.com/a\">docs</a> and bad");
        assert_eq!(markdown("<javascript:alert(1)> ![pic](/x.png)"), "javascript:alert(1) pic");
        assert_eq!(markdown("- one\n- two"), "one two");
        assert_eq!(markdown("# Title"), "Title");
    }

    #[test]
    fn examples_follow_the_schema() {
        let document = json!({"components": {"schemas": {
            "Role": {"type": "string", "enum": ["admin", "user"]},
            "Body": {"type": "object", "properties": {
                "name": {"type": ["string", "null"], "example": "ci-deploy"},
                "role": {"$ref": "#/components/schemas/Role"},
                "count": {"type": "integer", "minimum": 1}
            }}
        }}});
        let schema = json!({"oneOf": [{"$ref": "#/components/schemas/Body"}, {"type": "null"}]});
        assert_eq!(example(&document, &schema, 0), json!({"name": "ci-deploy", "role": "admin", "count": 1}));
        assert_eq!(type_of(&schema), "Body | null");
    }

    #[test]
    fn curl_examples_use_the_instance_and_the_header() {
        let body = json!({"get": {}});
        let operation = Operation { method: "post", path: "/api/v1/api_keys", body: &body };
        let curl = curl_example("https://sesame.example.com", &operation, Some(&json!({"name": "it's"})));
        assert_eq!(
            curl,
            "curl --request POST \\\n  --url 'https://sesame.example.com/api/v1/api_keys' \\\n  --header 'MC-Api-Key: {api-key}' \\\n  --header 'Content-Type: application/json' \\\n  --data '{\"name\":\"it'\\''s\"}'"
        );
    }
}
