//! The OpenAPI 3.1 descriptions of both generations (`openapi/` at the workspace root, written
//! from the references), served under `/_sim/openapi/` with `servers` pointing at this
//! simulator, so a fuzzer or a code generator aimed at the document reaches it. They live
//! under `/_sim` rather than `/v2` or `/v4` because the real API answers 404 there.

use std::sync::OnceLock;

use serde_json::{Value, json};

/// `openapi/trackingmore-v2.yaml`, as written.
pub const OPENAPI_V2_YAML: &str = include_str!("../openapi/trackingmore-v2.yaml");
/// `openapi/trackingmore-v4.yaml`, as written.
pub const OPENAPI_V4_YAML: &str = include_str!("../openapi/trackingmore-v4.yaml");

/// The production base URL each document names.
const PRODUCTION: [(&str, &str); 2] = [
    ("v2", "https://api.trackingmore.com/v2"),
    ("v4", "https://api.trackingmore.com/v4"),
];

/// One served document: its generation and form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Document {
    generation: &'static str,
    json: bool,
}

impl Document {
    /// The document a file name under `/_sim/openapi/` names: `v2.yaml`, `v2.json`,
    /// `v4.yaml` or `v4.json`.
    pub fn named(file: &str) -> Option<Document> {
        let (generation, form) = file.split_once('.')?;
        let generation = PRODUCTION.iter().find(|(g, _)| *g == generation)?.0;
        let json = match form {
            "json" => true,
            "yaml" | "yml" => false,
            _ => return None,
        };
        Some(Document { generation, json })
    }

    /// The content type and text of the document, `servers` set to `base` (e.g.
    /// `http://127.0.0.1:8000`) followed by the generation's prefix.
    pub fn render(self, base: &str) -> (&'static str, String) {
        let production = PRODUCTION
            .iter()
            .find(|(g, _)| *g == self.generation)
            .map_or("", |(_, url)| url);
        let here = format!("{}/{}", base.trim_end_matches('/'), self.generation);
        if !self.json {
            let yaml = if self.generation == "v2" {
                OPENAPI_V2_YAML
            } else {
                OPENAPI_V4_YAML
            };
            // The production URL appears once, as the only server.
            return ("application/yaml", yaml.replacen(production, &here, 1));
        }
        let mut doc = parsed(self.generation).clone();
        doc["servers"] = json!([{"url": here}]);
        (
            "application/json",
            serde_json::to_string_pretty(&doc).unwrap_or_default(),
        )
    }
}

/// A document parsed once (the YAML is embedded, so a parse error is a build defect that
/// tm-sim's tests catch; it renders as `null` rather than taking the server down).
fn parsed(generation: &str) -> &'static Value {
    static V2: OnceLock<Value> = OnceLock::new();
    static V4: OnceLock<Value> = OnceLock::new();
    let (cell, text) = if generation == "v2" {
        (&V2, OPENAPI_V2_YAML)
    } else {
        (&V4, OPENAPI_V4_YAML)
    };
    cell.get_or_init(|| yaml_serde::from_str(text).unwrap_or(Value::Null))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_documents_parse_and_name_the_simulator_as_their_server() {
        for g in ["v2", "v4"] {
            let doc = Document::named(&format!("{g}.json")).unwrap();
            let (ct, text) = doc.render("http://127.0.0.1:9");
            assert_eq!(ct, "application/json");
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["openapi"], "3.1.0");
            assert_eq!(v["servers"][0]["url"], format!("http://127.0.0.1:9/{g}"));
            let (_, yaml) = Document::named(&format!("{g}.yaml"))
                .unwrap()
                .render("http://127.0.0.1:9");
            assert!(yaml.contains(&format!("url: http://127.0.0.1:9/{g}")));
            assert!(!yaml.contains("api.trackingmore.com"));
        }
        assert_eq!(Document::named("v3.json"), None);
        assert_eq!(Document::named("v2.txt"), None);
    }
}
