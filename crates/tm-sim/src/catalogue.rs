//! The carrier catalogue (the real v2 list of 628 carriers) and carrier detection.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde_json::Value;

/// The v2 carrier list this simulator serves: `jsdvjx/TrackingMore` `src/map.json` as of
/// September 2019 (ISC licence), in the shape of `GET /v2/carriers` items plus `name_cn`.
pub const CARRIERS_JSON: &str = include_str!("../data/carriers-v2.json");

/// One carrier record as the simulator keeps it.
#[derive(Debug, Clone)]
pub struct CarrierRecord {
    /// The record as JSON, every key kept.
    pub json: Value,
    /// `code`.
    pub code: String,
    /// `type` is `globalpost`.
    pub postal: bool,
}

/// The catalogue: every carrier, indexed by code.
#[derive(Debug)]
pub struct Catalogue {
    carriers: Vec<CarrierRecord>,
    by_code: HashMap<String, usize>,
}

impl Catalogue {
    /// The built-in catalogue.
    pub fn builtin() -> Catalogue {
        let list: Vec<Value> = serde_json::from_str(CARRIERS_JSON).unwrap_or_default();
        let carriers: Vec<CarrierRecord> = list
            .into_iter()
            .filter_map(|json| {
                let code = json.get("code")?.as_str()?.to_owned();
                let postal = json.get("type").and_then(Value::as_str) == Some("globalpost");
                Some(CarrierRecord { json, code, postal })
            })
            .collect();
        let by_code = carriers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        Catalogue { carriers, by_code }
    }

    /// Number of carriers.
    pub fn len(&self) -> usize {
        self.carriers.len()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.carriers.is_empty()
    }

    /// The carrier with this (lower-case) code.
    pub fn get(&self, code: &str) -> Option<&CarrierRecord> {
        self.by_code
            .get(&code.to_ascii_lowercase())
            .map(|&i| &self.carriers[i])
    }

    /// The list as `GET /carriers` answers it: `Lang: cn` gives `name_cn` as `name`; the
    /// `name_cn` key itself is not part of a TrackingMore response.
    pub fn listing(&self, lang: Option<&str>) -> Vec<Value> {
        let cn = matches!(lang, Some(l) if l.eq_ignore_ascii_case("cn"));
        self.carriers
            .iter()
            .map(|c| {
                let mut v = c.json.clone();
                if let Some(obj) = v.as_object_mut() {
                    let cn_name = obj.remove("name_cn");
                    if cn {
                        if let Some(n) =
                            cn_name.filter(|n| n.as_str().is_some_and(|s| !s.is_empty()))
                        {
                            obj.insert("name".into(), n);
                        }
                    }
                }
                v
            })
            .collect()
    }

    /// Candidate carriers for a number, most likely first, as `{name, code}` objects; empty
    /// when nothing matches (the API answers 4032).
    pub fn detect(&self, number: &str) -> Vec<Value> {
        detect_codes(number)
            .into_iter()
            .filter_map(|code| self.get(code))
            .map(|c| {
                serde_json::json!({
                    "name": c.json.get("name").cloned().unwrap_or(Value::Null),
                    "code": c.code,
                })
            })
            .collect()
    }
}

/// Postal carriers by the country suffix of a UPU S10 number (`RR123456789CN`).
const UPU_COUNTRIES: &[(&str, &[&str])] = &[
    ("CN", &["china-post", "china-ems"]),
    ("US", &["usps"]),
    ("GB", &["royal-mail"]),
    ("DE", &["deutsche-post", "dhl-germany"]),
    ("FR", &["laposte", "colissimo"]),
    ("HK", &["hong-kong-post"]),
    ("SG", &["singapore-post"]),
    ("JP", &["japan-post"]),
    ("KR", &["korea-post"]),
    ("AU", &["australia-post"]),
    ("CA", &["canada-post"]),
    ("NL", &["postnl-parcels", "netherlands-post"]),
    ("IT", &["poste-italiane"]),
    ("ES", &["correos-spain"]),
    ("RU", &["russian-post"]),
    ("BR", &["brazil-correios"]),
    ("IN", &["india-post"]),
    ("CH", &["swiss-post"]),
    ("SE", &["sweden-posten"]),
    ("NZ", &["new-zealand-post"]),
    ("TR", &["turkey-post"]),
    ("TW", &["taiwan-post"]),
    ("TH", &["thailand-post"]),
];

static PATTERNS: LazyLock<Vec<(Regex, &'static [&'static str])>> = LazyLock::new(|| {
    let p = |re: &str, codes: &'static [&'static str]| {
        (
            Regex::new(re).unwrap_or_else(|e| panic!("{re}: {e}")),
            codes,
        )
    };
    vec![
        p(r"^1Z[0-9A-Z]{16}$", &["ups"]),
        p(r"^(94|93|92|95)[0-9]{20}$", &["usps"]),
        p(r"^YT[0-9]{16}$", &["yunexpress"]),
        p(r"^LP[0-9]{14}$", &["cainiao"]),
        p(r"^SF[0-9]{12}$", &["sf-express"]),
        p(r"^4PX[0-9A-Z]{10,}$", &["4px"]),
        p(r"^JJD[0-9]{10,}$", &["dhl-germany"]),
        p(r"^[0-9]{22}$", &["usps", "fedex"]),
        p(r"^[0-9]{20}$", &["usps", "fedex"]),
        p(r"^[0-9]{15}$", &["fedex"]),
        p(r"^[0-9]{12}$", &["fedex", "yto"]),
        p(r"^[0-9]{10}$", &["dhl", "bestex"]),
    ]
});

static UPU: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^([A-Z]{2})[0-9]{9}([A-Z]{2})$").unwrap_or_else(|e| panic!("{e}"))
});

/// Carrier codes a number's pattern suggests, most likely first.
pub fn detect_codes(number: &str) -> Vec<&'static str> {
    let n = number.trim().to_ascii_uppercase();
    if let Some(c) = UPU.captures(&n) {
        let service = &c[1];
        let country = &c[2];
        if let Some((_, codes)) = UPU_COUNTRIES.iter().find(|(cc, _)| *cc == country) {
            let mut out = codes.to_vec();
            // An `E…` item is express mail: China's EMS before China Post.
            if service.starts_with('E') && out.len() > 1 && country == "CN" {
                out.swap(0, 1);
            }
            return out;
        }
    }
    PATTERNS
        .iter()
        .find(|(re, _)| re.is_match(&n))
        .map(|(_, codes)| codes.to_vec())
        .unwrap_or_default()
}
