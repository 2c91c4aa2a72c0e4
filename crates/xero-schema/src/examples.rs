//! The example bodies embedded in the OpenAPI file, so the response parsers can be tested on what Xero documents.

use serde_json::{Map, Value};

/// The resources xerosync reads and writes; [`crate::XeroSchemas::examples`] accepts any path segment, these are the
/// ones the project's parsers must handle.
pub const RESOURCES: [&str; 4] = ["Invoices", "CreditNotes", "Contacts", "Items"];

/// Whether an example is a request body or a response body (with its HTTP status, e.g. `"200"`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExampleKind {
    /// The `requestBody` example of the operation.
    Request,
    /// A response example; the status code as written in the file.
    Response {
        /// `"200"`, `"400"`, …
        status: String,
    },
}

/// One `application/json` example of an operation on a resource.
#[derive(Debug, Clone, PartialEq)]
pub struct Example {
    /// The path template, e.g. `/Invoices/{InvoiceID}`.
    pub path: String,
    /// `get`, `put`, `post`, `delete`.
    pub method: String,
    /// The `operationId`, e.g. `updateOrCreateInvoices`.
    pub operation_id: String,
    /// Request or response, with its status.
    pub kind: ExampleKind,
    /// The `components.schemas` name the body is declared as, when it is a plain `$ref`.
    pub schema: Option<String>,
    /// The example body, converted to JSON (numbers stay numbers, as Xero sends them).
    pub body: Value,
}

impl Example {
    /// A label for assertion messages, e.g. `put /Invoices (createInvoices) response 200`.
    pub fn label(&self) -> String {
        let kind = match &self.kind {
            ExampleKind::Request => "request".to_owned(),
            ExampleKind::Response { status } => format!("response {status}"),
        };
        format!(
            "{} {} ({}) {kind}",
            self.method, self.path, self.operation_id
        )
    }
}

const METHODS: [&str; 4] = ["get", "put", "post", "delete"];

/// Collects the examples of every operation under `/{resource}` and `/{resource}/…`.
pub fn collect(
    paths: &Map<String, Value>,
    responses: &Map<String, Value>,
    resource: &str,
) -> Vec<Example> {
    let exact = format!("/{resource}");
    let prefix = format!("/{resource}/");
    let mut out = Vec::new();
    for (path, item) in paths {
        if path != &exact && !path.starts_with(&prefix) {
            continue;
        }
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            let operation_id = op
                .get("operationId")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned();
            let mut push = |kind: ExampleKind, content: &Value| {
                for (schema, body) in json_examples(content) {
                    out.push(Example {
                        path: path.clone(),
                        method: method.to_owned(),
                        operation_id: operation_id.clone(),
                        kind: kind.clone(),
                        schema,
                        body,
                    });
                }
            };
            if let Some(body) = op.get("requestBody") {
                push(ExampleKind::Request, body);
            }
            let Some(statuses) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, response) in statuses {
                let response = resolve_response(responses, response);
                push(
                    ExampleKind::Response {
                        status: status.clone(),
                    },
                    response,
                );
            }
        }
    }
    out
}

fn resolve_response<'a>(responses: &'a Map<String, Value>, response: &'a Value) -> &'a Value {
    response
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/responses/"))
        .and_then(|name| responses.get(name))
        .unwrap_or(response)
}

/// The `application/json` examples of a request body or response: the single `example` and every `examples.*.value`.
fn json_examples(holder: &Value) -> Vec<(Option<String>, Value)> {
    let Some(media) = holder.pointer("/content/application~1json") else {
        return Vec::new();
    };
    let schema = media
        .pointer("/schema/$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned);
    let mut out = Vec::new();
    if let Some(example) = media.get("example") {
        out.push((schema.clone(), unquote(example)));
    }
    if let Some(named) = media.get("examples").and_then(Value::as_object) {
        for example in named.values() {
            if let Some(value) = example.get("value") {
                out.push((schema.clone(), unquote(value)));
            }
        }
    }
    out
}

/// A few examples are JSON written as a YAML string; those are parsed, everything else is kept as is.
fn unquote(example: &Value) -> Value {
    example
        .as_str()
        .and_then(|s| serde_json::from_str(s.trim()).ok())
        .unwrap_or_else(|| example.clone())
}
