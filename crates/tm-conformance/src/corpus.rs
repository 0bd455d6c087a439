//! The fixture corpus's own checks, beyond what loading a fixture checks: canonical
//! formatting, names that match paths, known operations, credentials only as the placeholder,
//! nothing that looks like a real key, and every capture replayed by some fixture.
//! `cargo xtask fixtures check|fmt` runs them through this crate's `fixtures` binary.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::call::Call;

const TOP_KEYS: &[&str] = &[
    "schema",
    "name",
    "docs",
    "tags",
    "source",
    "operation",
    "input",
    "client",
    "interactions",
    "expect",
    "attempts",
];

const PLACEHOLDER: &str = tm_core::transport::SECRET_PLACEHOLDER;

/// A scenario file: its path under `fixtures/`, its JSON (or why it is not JSON), its text.
type Scanned = (String, Result<Value, String>, String);

/// Every scenario file (not `captures/`), parsed.
fn scan(dir: &Path) -> Result<Vec<Scanned>, String> {
    Ok(crate::schema::scenario_files(dir)?
        .into_iter()
        .map(|(rel, text)| {
            let parsed = serde_json::from_str(&text).map_err(|e| e.to_string());
            (rel, parsed, text)
        })
        .collect())
}

/// The canonical text: sorted keys, two-space indentation, a final newline.
fn canonical(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// Rewrites every fixture in the canonical format; the number rewritten.
pub fn fmt(dir: &Path) -> Result<usize, String> {
    let mut changed = 0;
    for (rel, parsed, text) in scan(dir)? {
        let v = parsed.map_err(|e| format!("{rel}: {e}"))?;
        let c = canonical(&v);
        if c != text {
            std::fs::write(dir.join(&rel), c).map_err(|e| format!("{rel}: {e}"))?;
            changed += 1;
        }
    }
    Ok(changed)
}

/// True for `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` in hex: the shape of a real key.
fn looks_like_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

fn strings<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::String(s) => out.push(s),
        Value::Array(a) => a.iter().for_each(|x| strings(x, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| {
            out.push(k);
            strings(x, out)
        }),
        _ => {}
    }
}

fn check_body(b: &Value, at: &str, errs: &mut Vec<String>) {
    match b.as_object() {
        Some(o)
            if o.len() == 1
                && (o.contains_key("json") || o.contains_key("text") || o.contains_key("hex")) =>
        {
            if let Some(t) = o.get("text")
                && !t.is_string()
            {
                errs.push(format!("{at}: body.text must be a string"));
            }
        }
        _ => errs.push(format!(
            "{at}: body must be one of {{json}}, {{text}}, {{hex}}"
        )),
    }
}

fn check_headers(h: &Value, at: &str, errs: &mut Vec<String>) {
    let Some(o) = h.as_object() else {
        errs.push(format!("{at}: headers must be an object"));
        return;
    };
    for (name, value) in o {
        if name != &name.to_ascii_lowercase() {
            errs.push(format!("{at}: header name {name:?} must be lower case"));
        }
        let Some(value) = value.as_str() else {
            errs.push(format!("{at}: header {name} must be a string"));
            continue;
        };
        let secret_name = ["key", "token", "authorization", "cookie", "secret"]
            .iter()
            .any(|s| name.contains(s));
        if secret_name && value != PLACEHOLDER && !value.starts_with("<") {
            errs.push(format!("{at}: header {name} holds a value; credentials must be the {PLACEHOLDER} placeholder"));
        }
    }
}

/// The problems of one fixture.
fn check_one(rel: &str, v: &Value, dir: &Path) -> Vec<String> {
    let mut errs = Vec::new();
    let Some(top) = v.as_object() else {
        return vec![format!("{rel}: not a JSON object")];
    };
    for k in top.keys() {
        if !TOP_KEYS.contains(&k.as_str()) {
            errs.push(format!("{rel}: unknown key {k:?}"));
        }
    }
    if v["schema"] != 1 {
        errs.push(format!("{rel}: schema must be 1"));
    }
    let expected_name = rel.trim_end_matches(".json");
    if v["name"].as_str() != Some(expected_name) {
        errs.push(format!("{rel}: name must be {expected_name:?} (its path)"));
    }
    if v["docs"]
        .as_str()
        .is_none_or(|d| d.trim().is_empty() || d.contains('\n'))
    {
        errs.push(format!("{rel}: docs must be one non-empty line"));
    }
    if !v["tags"].is_null()
        && !v["tags"]
            .as_array()
            .is_some_and(|t| t.iter().all(Value::is_string))
    {
        errs.push(format!("{rel}: tags must be strings"));
    }
    let op = v["operation"].as_str().unwrap_or("");
    let call = Call::parse(op);
    if call.is_none() {
        errs.push(format!("{rel}: unknown operation {op:?}"));
    }
    // Each generation's path prefix and key header.
    let (prefix, key_header) = match call.map(Call::api) {
        Some(tm_core::Api::V4) => ("/v4/", "tracking-api-key"),
        _ => ("/v2/", "trackingmore-api-key"),
    };
    if let Some(src) = v.get("source") {
        match src.as_str() {
            Some(s) if dir.join(s).is_file() => {}
            _ => errs.push(format!("{rel}: source {src} is not a file under fixtures/")),
        }
    }
    let Some(interactions) = v["interactions"].as_array() else {
        errs.push(format!("{rel}: interactions must be an array"));
        return errs;
    };
    for (i, inter) in interactions.iter().enumerate() {
        let at = format!("{rel}: interactions[{i}]");
        let req = &inter["request"];
        if !matches!(
            req["method"].as_str(),
            Some("GET" | "POST" | "PUT" | "DELETE")
        ) {
            errs.push(format!(
                "{at}: request.method must be GET, POST, PUT or DELETE"
            ));
        }
        if !req["path"].as_str().is_some_and(|p| p.starts_with(prefix)) {
            errs.push(format!("{at}: request.path must start with {prefix}"));
        }
        if let Some(q) = req.get("query") {
            let ok = q.as_array().is_some_and(|a| {
                a.iter().all(|p| {
                    p.as_array()
                        .is_some_and(|kv| kv.len() == 2 && kv.iter().all(Value::is_string))
                })
            });
            if !ok {
                errs.push(format!("{at}: request.query must be [[key, value], …]"));
            }
        }
        if let Some(h) = req.get("headers") {
            check_headers(h, &at, &mut errs);
        }
        if req["headers"][key_header] != PLACEHOLDER {
            errs.push(format!(
                "{at}: the request must carry {key_header} = {PLACEHOLDER}"
            ));
        }
        if let Some(b) = req.get("body") {
            check_body(b, &at, &mut errs);
        }
        match (inter.get("response"), inter.get("error")) {
            (Some(r), None) => {
                if !r["status"]
                    .as_u64()
                    .is_some_and(|s| (100..600).contains(&s))
                {
                    errs.push(format!("{at}: response.status must be 100–599"));
                }
                if let Some(h) = r.get("headers") {
                    check_headers(h, &at, &mut errs);
                }
                if let Some(b) = r.get("body") {
                    check_body(b, &at, &mut errs);
                }
                if r.get("delay_ms").is_some_and(|d| !d.is_u64()) {
                    errs.push(format!("{at}: response.delay_ms must be a whole number"));
                }
            }
            (None, Some(e)) if matches!(e.as_str(), Some("connect" | "timeout" | "reset")) => {}
            _ => errs.push(format!(
                "{at}: needs exactly one of response, or error connect|timeout|reset"
            )),
        }
    }
    // A recording (tagged `recorded`) may leave `expect` and `attempts` out.
    let recording = v["tags"]
        .as_array()
        .is_some_and(|t| t.iter().any(|t| t == "recorded"));
    let expect = v["expect"].as_object();
    let kinds = ["ok", "ok_subset", "err"];
    let unexpected = v.get("expect").is_some() || !recording;
    if unexpected
        && !expect.is_some_and(|e| e.len() == 1 && e.keys().all(|k| kinds.contains(&k.as_str())))
    {
        errs.push(format!(
            "{rel}: expect must be exactly one of ok, ok_subset, err"
        ));
    } else if let Some(e) = v["expect"].get("err")
        && !e["kind"].is_string()
    {
        errs.push(format!("{rel}: expect.err.kind must be a string"));
    }
    let attempts_ok = match v.get("attempts") {
        None => recording,
        Some(a) => a
            .as_u64()
            .is_some_and(|a| a as usize <= interactions.len().max(1)),
    };
    if !attempts_ok {
        errs.push(format!(
            "{rel}: attempts must be a whole number, at most the interactions"
        ));
    }
    // Anything that looks like a real key, anywhere in the file.
    let live_key = std::env::var("TRACKINGMORE_API_KEY")
        .ok()
        .filter(|k| k.len() >= 8);
    let mut all = Vec::new();
    strings(v, &mut all);
    for s in all {
        if looks_like_uuid(s) {
            errs.push(format!("{rel}: {s:?} looks like a real API key"));
        }
        if live_key.as_deref().is_some_and(|k| s.contains(k)) {
            errs.push(format!(
                "{rel}: holds the TRACKINGMORE_API_KEY of this shell"
            ));
        }
    }
    errs
}

/// Checks every fixture: `Ok(count)`, or every problem found.
pub fn check(dir: &Path) -> Result<usize, Vec<String>> {
    let files = scan(dir).map_err(|e| vec![e])?;
    let mut errs = Vec::new();
    let mut sources = BTreeSet::new();
    for (rel, parsed, text) in &files {
        match parsed {
            Err(e) => errs.push(format!("{rel}: not JSON: {e}")),
            Ok(v) => {
                errs.extend(check_one(rel, v, dir));
                if canonical(v) != *text {
                    errs.push(format!(
                        "{rel}: not in the canonical format; run `cargo xtask fixtures fmt`"
                    ));
                }
                if let Some(s) = v["source"].as_str() {
                    sources.insert(s.to_owned());
                }
            }
        }
    }
    // Every capture is replayed by at least one fixture.
    let captures = dir.join("captures");
    if let Ok(entries) = std::fs::read_dir(&captures) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.ends_with(".json") && !sources.contains(&format!("captures/{name}")) {
                errs.push(format!(
                    "captures/{name}: no fixture replays it (set a fixture's source)"
                ));
            }
        }
    }
    if errs.is_empty() {
        Ok(files.len())
    } else {
        Err(errs)
    }
}

/// Fixtures per operation and per expected outcome kind (`ok`, `err:<kind>`, `recorded`),
/// for the fixtures whose path matches `filter` (see [`glob_match`](crate::glob_match)).
pub fn stats(dir: &Path, filter: Option<&str>) -> Result<Stats, String> {
    let mut st = Stats::default();
    for (rel, parsed, _) in scan(dir)? {
        if filter.is_some_and(|f| !crate::glob_match(f, &rel)) {
            continue;
        }
        let v = parsed.map_err(|e| format!("{rel}: {e}"))?;
        st.fixtures += 1;
        *st.by_operation
            .entry(v["operation"].as_str().unwrap_or("?").to_owned())
            .or_default() += 1;
        let kind = match (
            v["expect"]
                .get("ok")
                .or_else(|| v["expect"].get("ok_subset")),
            v["expect"].get("err"),
        ) {
            (Some(_), _) => "ok".to_owned(),
            (_, Some(e)) => format!("err:{}", e["kind"].as_str().unwrap_or("?")),
            _ => "recorded".to_owned(),
        };
        *st.by_outcome.entry(kind).or_default() += 1;
    }
    Ok(st)
}

/// Counts of the corpus.
#[derive(Debug, Default)]
pub struct Stats {
    /// Fixtures counted.
    pub fixtures: usize,
    /// Per operation name.
    pub by_operation: std::collections::BTreeMap<String, usize>,
    /// Per expected outcome kind.
    pub by_outcome: std::collections::BTreeMap<String, usize>,
}
