//! The OpenAPI descriptions in `openapi/` held against the fixtures and the client: a third,
//! independent statement of the wire shapes (written from the references, not from our types).
//!
//! - [`check_fixture_bodies`] (check 1): every response body in `fixtures/`, recorded or
//!   invented, and every webhook body, validates against the description of its endpoint and
//!   status. A fixture tagged [`OUTSIDE_DESCRIPTION`] is about something the API does not
//!   send itself (a proxy's HTML page, a cut connection, a documentation typo) and is counted,
//!   not validated.
//! - [`check_client_requests`] (check 2): every request the client sends in the conformance
//!   runs names a described operation, carries the key header, sends only described query
//!   parameters with values of their type, and a body that validates with no undescribed key.
//!
//! Schemas are JSON Schema 2020-12 (what OpenAPI 3.1 uses), checked with the `jsonschema`
//! crate against the whole document, so `$ref`s resolve inside it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use serde_json::{Value, json};

use crate::runners::{REPLAY_KEY, V2_PREFIX, V4_PREFIX, run_mock};
use crate::schema::FixtureFile;

/// The tag of a fixture whose responses are not the API's own (see the module docs).
pub const OUTSIDE_DESCRIPTION: &str = "outside-description";

/// The repository's `openapi/` directory.
pub fn openapi_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi")
}

/// One generation's description, with its compiled schemas cached by JSON pointer.
pub struct Description {
    /// The file it was read from, for messages.
    pub file: String,
    /// The path prefix of its requests, `/v2` or `/v4`.
    pub prefix: &'static str,
    doc: Value,
    validators: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl std::fmt::Debug for Description {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Description")
            .field("file", &self.file)
            .field("prefix", &self.prefix)
            .finish_non_exhaustive()
    }
}

/// A described operation a request path reached.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// The path template, e.g. `/trackings/update/{id}`.
    pub template: String,
    /// JSON pointer of the operation object.
    pub pointer: String,
    /// Path parameters by name, decoded.
    pub path_params: Vec<(String, String)>,
}

/// Escapes one JSON-pointer token.
fn token(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl Description {
    /// Reads `trackingmore-{generation}.yaml` from `dir`.
    pub fn load(dir: &Path, generation: &str) -> Result<Description, String> {
        let file = dir.join(format!("trackingmore-{generation}.yaml"));
        let text =
            std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let prefix = match generation {
            "v2" => V2_PREFIX,
            "v4" => V4_PREFIX,
            other => return Err(format!("no generation {other:?} (v2 or v4)")),
        };
        Description::from_yaml(&file.display().to_string(), prefix, &text)
    }

    /// A description from its YAML text.
    pub fn from_yaml(file: &str, prefix: &'static str, text: &str) -> Result<Description, String> {
        let doc: Value = yaml_serde::from_str(text).map_err(|e| format!("{file}: {e}"))?;
        if doc["openapi"]
            .as_str()
            .is_none_or(|v| !v.starts_with("3.1"))
        {
            return Err(format!("{file}: not an OpenAPI 3.1 document"));
        }
        Ok(Description {
            file: file.to_owned(),
            prefix,
            doc,
            validators: Mutex::new(HashMap::new()),
        })
    }

    /// The value at a JSON pointer.
    fn at(&self, pointer: &str) -> Option<&Value> {
        self.doc.pointer(pointer)
    }

    /// Follows a `$ref` (if any) to the object it names, with that object's pointer.
    fn resolve(&self, pointer: String) -> Option<(String, &Value)> {
        let mut pointer = pointer;
        for _ in 0..8 {
            let v = self.at(&pointer)?;
            match v.get("$ref").and_then(Value::as_str) {
                Some(r) => pointer = r.strip_prefix('#')?.to_owned(),
                None => return Some((pointer, v)),
            }
        }
        None
    }

    /// The schema at `pointer` compiled against the whole document.
    fn validator(&self, pointer: &str) -> Result<Arc<jsonschema::Validator>, String> {
        let mut cache = self
            .validators
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = cache.get(pointer) {
            return Ok(v.clone());
        }
        // The document itself is the root resource; its OpenAPI keys are unknown keywords to
        // JSON Schema and ignored, and `$ref` sends validation to the schema wanted.
        // A fragment is a URI part: `{`, `}`, `%` and the like are percent-encoded.
        const FRAGMENT: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
            .add(b' ')
            .add(b'"')
            .add(b'%')
            .add(b'<')
            .add(b'>')
            .add(b'\\')
            .add(b'^')
            .add(b'`')
            .add(b'{')
            .add(b'|')
            .add(b'}');
        let mut root = self.doc.clone();
        root["$ref"] = json!(format!(
            "#{}",
            percent_encoding::utf8_percent_encode(pointer, FRAGMENT)
        ));
        let v = Arc::new(
            jsonschema::draft202012::new(&root)
                .map_err(|e| format!("{}: schema #{pointer}: {e}", self.file))?,
        );
        cache.insert(pointer.to_owned(), v.clone());
        Ok(v)
    }

    /// Problems of `instance` against the schema at `pointer`; for a failed `oneOf`, those of
    /// the closest alternative, or of each where several are as close (a bare "not valid
    /// under any" says nothing).
    pub fn validate(&self, pointer: &str, instance: &Value) -> Vec<String> {
        let v = match self.validator(pointer) {
            Ok(v) => v,
            Err(e) => return vec![e],
        };
        if v.is_valid(instance) {
            return Vec::new();
        }
        if let Some((p, schema)) = self.resolve(pointer.to_owned())
            && let Some(n) = schema.get("oneOf").and_then(Value::as_array).map(Vec::len)
        {
            let branches: Vec<Vec<String>> = (0..n)
                .map(|i| self.validate(&format!("{p}/oneOf/{i}"), instance))
                .collect();
            let fewest = branches.iter().map(Vec::len).min().unwrap_or(0);
            let closest: Vec<usize> = (0..n).filter(|&i| branches[i].len() == fewest).collect();
            if fewest > 0 && closest.len() == 1 {
                return branches[closest[0]].clone();
            }
            if fewest > 0 {
                // A tie (e.g. a v2 body that is neither a good error nor a good success):
                // each alternative's problems, named, since either may be the one meant.
                return closest
                    .into_iter()
                    .flat_map(|i| {
                        let name = schema["oneOf"][i]["$ref"]
                            .as_str()
                            .and_then(|r| r.rsplit('/').next())
                            .map_or_else(|| format!("alternative {i}"), str::to_owned);
                        branches[i].iter().map(move |e| format!("as {name}, {e}"))
                    })
                    .collect();
            }
        }
        v.iter_errors(instance)
            .map(|e| {
                let at = e.instance_path().to_string();
                let mut text = e.to_string();
                // The message quotes the whole instance; a page of trackings is too much.
                if text.len() > 300 {
                    let mut cut = 300;
                    while !text.is_char_boundary(cut) {
                        cut -= 1;
                    }
                    text.truncate(cut);
                    text.push('…');
                }
                format!("{}: {text}", if at.is_empty() { "/" } else { &at })
            })
            .collect()
    }

    /// The operation `method` on the wire path `path` (with the generation's prefix) reaches:
    /// the matching template with the most literal segments (`/trackings/get` before
    /// `/trackings/{carrier_code}/{tracking_number}`).
    pub fn find(&self, method: &str, path: &str) -> Result<Found, String> {
        let rest = path
            .strip_prefix(self.prefix)
            .ok_or_else(|| format!("{path}: not under {} ({})", self.prefix, self.file))?;
        let segments: Vec<String> = rest
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            })
            .collect();
        let method = method.to_ascii_lowercase();
        let mut best: Option<(usize, Found)> = None;
        for (template, item) in self.doc["paths"].as_object().into_iter().flatten() {
            if item.get(&method).is_none() {
                continue;
            }
            let parts: Vec<&str> = template.split('/').filter(|s| !s.is_empty()).collect();
            if parts.len() != segments.len() {
                continue;
            }
            let mut params = Vec::new();
            let mut literal = 0;
            let fits = parts.iter().zip(&segments).all(|(t, s)| {
                match t.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
                    Some(name) => {
                        params.push((name.to_owned(), s.clone()));
                        true
                    }
                    None => {
                        literal += 1;
                        t == s
                    }
                }
            });
            if fits && best.as_ref().is_none_or(|(l, _)| literal > *l) {
                let found = Found {
                    template: template.clone(),
                    pointer: format!("/paths/{}/{method}", token(template)),
                    path_params: params,
                };
                best = Some((literal, found));
            }
        }
        best.map(|(_, f)| f).ok_or_else(|| {
            format!(
                "{} {path}: no operation in {}",
                method.to_ascii_uppercase(),
                self.file
            )
        })
    }

    /// The pointer of the JSON schema of `op`'s response to `status` (exact, then `4XX`,
    /// then `default`).
    fn response_schema(&self, found: &Found, status: u16) -> Result<String, String> {
        let responses = format!("{}/responses", found.pointer);
        let wanted = [
            status.to_string(),
            format!("{}XX", status / 100),
            "default".to_owned(),
        ];
        let key = wanted
            .iter()
            .find(|k| self.at(&format!("{responses}/{k}")).is_some())
            .ok_or_else(|| format!("HTTP {status} is not described for {}", found.template))?;
        let (pointer, _) = self
            .resolve(format!("{responses}/{key}"))
            .ok_or_else(|| format!("{responses}/{key}: dangling $ref"))?;
        let schema = format!("{pointer}/content/application~1json/schema");
        self.at(&schema)
            .map(|_| schema.clone())
            .ok_or_else(|| format!("HTTP {status} of {} has no JSON schema", found.template))
    }

    /// Problems of a response body to `method path` with `status`.
    pub fn check_response(
        &self,
        method: &str,
        path: &str,
        status: u16,
        body: &[u8],
    ) -> Vec<String> {
        let found = match self.find(method, path) {
            Ok(f) => f,
            Err(e) => return vec![e],
        };
        let schema = match self.response_schema(&found, status) {
            Ok(s) => s,
            Err(e) => return vec![e],
        };
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => self.validate(&schema, &v),
            Err(e) => vec![format!("the body is not JSON ({e})")],
        }
    }

    /// Problems of a webhook body (the `webhooks` section's `trackingUpdate`).
    pub fn check_webhook(&self, body: &[u8]) -> Vec<String> {
        let schema = "/webhooks/trackingUpdate/post/requestBody/content/application~1json/schema";
        if self.at(schema).is_none() {
            return vec![format!("{}: no webhook described", self.file)];
        }
        match serde_json::from_slice::<Value>(body) {
            Ok(v) => self.validate(schema, &v),
            Err(e) => vec![format!("the webhook body is not JSON ({e})")],
        }
    }

    /// The parameters that apply to an operation (its path item's and its own), resolved.
    fn parameters(&self, found: &Found) -> Vec<(String, &Value)> {
        let item = found.pointer.rsplit_once('/').map_or("", |(p, _)| p);
        let mut out = Vec::new();
        for list in [
            format!("{item}/parameters"),
            format!("{}/parameters", found.pointer),
        ] {
            let n = self.at(&list).and_then(Value::as_array).map_or(0, Vec::len);
            out.extend((0..n).filter_map(|i| self.resolve(format!("{list}/{i}"))));
        }
        out
    }

    /// Problems of a request the client sent, as the conformance outcome records it:
    /// `{method, path, query: [[k, v]], headers: {name: value}, body: {json}|{text}|null}`.
    pub fn check_request(&self, req: &Value) -> Vec<String> {
        let method = req["method"].as_str().unwrap_or("");
        let path = req["path"].as_str().unwrap_or("");
        let found = match self.find(method, path) {
            Ok(f) => f,
            Err(e) => return vec![e],
        };
        let mut problems = Vec::new();
        let params = self.parameters(&found);
        let query: Vec<(&str, &str)> = req["query"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| Some((p.get(0)?.as_str()?, p.get(1)?.as_str()?)))
            .collect();
        let headers = req["headers"].as_object();
        let header = |name: &str| {
            headers.and_then(|h| {
                h.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(name))
                    .and_then(|(_, v)| v.as_str())
            })
        };
        for (name, value) in &found.path_params {
            if let Some((p, _)) = params
                .iter()
                .find(|(_, d)| d["in"] == "path" && d["name"] == name.as_str())
            {
                problems.extend(self.validate(&format!("{p}/schema"), &json!(value)));
            } else {
                problems.push(format!("path parameter {name} is not described"));
            }
        }
        for (name, value) in &query {
            match params
                .iter()
                .find(|(_, d)| d["in"] == "query" && d["name"] == *name)
            {
                Some((p, d)) => {
                    let typed = typed_query_value(&d["schema"], value);
                    for e in self.validate(&format!("{p}/schema"), &typed) {
                        problems.push(format!("query {name}={value}: {e}"));
                    }
                }
                None => problems.push(format!(
                    "query parameter {name:?} is not described for {method} {}",
                    found.template
                )),
            }
        }
        for (_, d) in &params {
            let name = d["name"].as_str().unwrap_or("");
            if d["required"] == true && d["in"] == "query" && !query.iter().any(|(k, _)| *k == name)
            {
                problems.push(format!("required query parameter {name} is missing"));
            }
        }
        let key_header = self.doc["components"]["securitySchemes"]["apiKey"]["name"]
            .as_str()
            .unwrap_or("");
        if header(key_header).is_none() {
            problems.push(format!("the key header {key_header} is missing"));
        }
        let body_pointer = format!("{}/requestBody", found.pointer);
        let described = self.resolve(body_pointer.clone());
        match (&req["body"], described) {
            (Value::Null, Some((_, rb))) if rb["required"] == true => {
                problems.push(format!("{method} {} needs a body", found.template));
            }
            (Value::Null, _) => {}
            (_, None) => problems.push(format!(
                "{method} {} takes no body, the client sent one",
                found.template
            )),
            (body, Some((p, _))) => match body.get("json") {
                None => problems.push("the body is not JSON".to_owned()),
                Some(json_body) => {
                    if !header("content-type").is_some_and(|c| c.starts_with("application/json")) {
                        problems.push("a JSON body without Content-Type: application/json".into());
                    }
                    let schema = format!("{p}/content/application~1json/schema");
                    problems.extend(self.validate(&schema, json_body));
                    self.undescribed_keys(&schema, json_body, "", &mut problems);
                }
            },
        }
        problems
    }

    /// Keys of `instance` that the schema at `pointer` does not describe: a misspelt request
    /// field passes JSON Schema (objects are open) but the server ignores it.
    fn undescribed_keys(&self, pointer: &str, instance: &Value, at: &str, out: &mut Vec<String>) {
        let Some((pointer, schema)) = self.resolve(pointer.to_owned()) else {
            return;
        };
        match instance {
            Value::Object(map) => {
                let mut declared: Vec<(String, String)> = Vec::new();
                self.declared_properties(&pointer, schema, &mut declared, 0);
                if declared.is_empty() {
                    return;
                }
                for (k, v) in map {
                    match declared.iter().find(|(name, _)| name == k) {
                        Some((_, p)) => self.undescribed_keys(p, v, &format!("{at}/{k}"), out),
                        None => out.push(format!("{at}/{k}: not a described field")),
                    }
                }
            }
            Value::Array(items) if schema.get("items").is_some() => {
                for (i, item) in items.iter().enumerate() {
                    self.undescribed_keys(
                        &format!("{pointer}/items"),
                        item,
                        &format!("{at}/{i}"),
                        out,
                    );
                }
            }
            _ => {}
        }
    }

    /// The property names (with their schema pointers) a schema and its `allOf` parts declare.
    fn declared_properties(
        &self,
        pointer: &str,
        schema: &Value,
        out: &mut Vec<(String, String)>,
        depth: u8,
    ) {
        if depth > 8 {
            return;
        }
        for name in schema["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(k, _)| k)
        {
            out.push((
                name.clone(),
                format!("{pointer}/properties/{}", token(name)),
            ));
        }
        let n = schema["allOf"].as_array().map_or(0, Vec::len);
        for i in 0..n {
            if let Some((p, s)) = self.resolve(format!("{pointer}/allOf/{i}")) {
                self.declared_properties(&p, s, out, depth + 1);
            }
        }
    }
}

/// A query value as the type its schema names (query strings carry text only).
fn typed_query_value(schema: &Value, value: &str) -> Value {
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if types.contains(&"integer")
        && let Ok(n) = value.parse::<i64>()
    {
        return json!(n);
    }
    if types.contains(&"number")
        && let Ok(n) = value.parse::<f64>()
    {
        return json!(n);
    }
    if types.contains(&"boolean") && matches!(value, "true" | "false") {
        return json!(value == "true");
    }
    json!(value)
}

/// Both generations' descriptions.
#[derive(Debug)]
pub struct Descriptions {
    /// `openapi/trackingmore-v2.yaml`.
    pub v2: Description,
    /// `openapi/trackingmore-v4.yaml`.
    pub v4: Description,
}

impl Descriptions {
    /// Both, from `dir` (normally [`openapi_dir`]).
    pub fn load(dir: &Path) -> Result<Descriptions, String> {
        Ok(Descriptions {
            v2: Description::load(dir, "v2")?,
            v4: Description::load(dir, "v4")?,
        })
    }

    /// The description a wire path belongs to.
    pub fn for_path(&self, path: &str) -> &Description {
        if path.starts_with(V4_PREFIX) {
            &self.v4
        } else {
            &self.v2
        }
    }
}

/// What a check looked at.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checked {
    /// Bodies or requests validated.
    pub validated: usize,
    /// Responses (check 1) or fixtures (check 2) tagged [`OUTSIDE_DESCRIPTION`], counted and
    /// not validated.
    pub outside: usize,
}

/// Check 1: every response body and webhook body in the fixtures validates against the
/// description of its endpoint and status. Problems name the fixture and the interaction.
pub fn check_fixture_bodies(
    fixtures: &[FixtureFile],
    d: &Descriptions,
) -> Result<Checked, Vec<String>> {
    let mut checked = Checked::default();
    let mut problems = Vec::new();
    for file in fixtures {
        let f = &file.fixture;
        let outside = f.tags.iter().any(|t| t == OUTSIDE_DESCRIPTION);
        if f.operation.ends_with(".webhook.verify") {
            let Some(body) = f.input["body"].as_str() else {
                problems.push(format!(
                    "{}: a webhook fixture without input.body",
                    file.relative
                ));
                continue;
            };
            if outside {
                checked.outside += 1;
                continue;
            }
            let description = if f.operation.starts_with("v4.") {
                &d.v4
            } else {
                &d.v2
            };
            for p in description.check_webhook(body.as_bytes()) {
                problems.push(format!("{}: webhook body {p}", file.relative));
            }
            checked.validated += 1;
            continue;
        }
        for (i, interaction) in f.interactions.iter().enumerate() {
            let tm_core::transport::fixture::Reply::Response(r) = &interaction.reply else {
                continue;
            };
            if outside {
                checked.outside += 1;
                continue;
            }
            let req = &interaction.request;
            let body = r.body.as_ref().map(|b| b.to_bytes()).unwrap_or_default();
            for p in d
                .for_path(&req.path)
                .check_response(&req.method, &req.path, r.status, &body)
            {
                problems.push(format!(
                    "{}: interaction {} ({} {} -> {}): {p}",
                    file.relative, i, req.method, req.path, r.status
                ));
            }
            checked.validated += 1;
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}

/// Check 2: every request the client sends while replaying the fixtures (the mock transport,
/// as runner A) validates against the description; a fixture tagged [`OUTSIDE_DESCRIPTION`]
/// (e.g. one that sends a status the API refuses, to see the refusal) is counted instead.
/// Run it on tokio's paused clock.
pub async fn check_client_requests(
    fixtures: &[FixtureFile],
    d: &Descriptions,
) -> Result<Checked, Vec<String>> {
    let mut checked = Checked::default();
    let mut problems = Vec::new();
    for file in fixtures {
        if file.fixture.tags.iter().any(|t| t == OUTSIDE_DESCRIPTION) {
            checked.outside += 1;
            continue;
        }
        let outcome = match run_mock(&file.fixture, REPLAY_KEY).await {
            Ok(o) => o,
            Err(e) => {
                problems.push(format!("{}: the replay failed: {e}", file.relative));
                continue;
            }
        };
        for (i, req) in outcome.requests.iter().enumerate() {
            let path = req["path"].as_str().unwrap_or("");
            for p in d.for_path(path).check_request(req) {
                problems.push(format!(
                    "{}: request {i} ({} {path}): {p}",
                    file.relative,
                    req["method"].as_str().unwrap_or("")
                ));
            }
            checked.validated += 1;
        }
    }
    if problems.is_empty() {
        Ok(checked)
    } else {
        Err(problems)
    }
}
