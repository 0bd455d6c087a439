//! The carrier catalogue (the real v2 list of 628 carriers) and carrier detection.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use serde::Deserialize;

/// The v2 carrier list this simulator serves: `jsdvjx/TrackingMore` `src/map.json` as of
/// September 2019 (ISC licence), in the shape of `GET /v2/carriers` items plus `name_cn`.
pub const CARRIERS_JSON: &str = include_str!("../data/carriers-v2.json");

/// One carrier of the list, as the v2 list shows it (`name_cn` is the name a `Lang: cn`
/// request gets).
#[derive(Debug, Clone, Deserialize)]
pub struct CarrierRecord {
    /// `name`.
    pub name: String,
    /// `code`, the slug both generations use.
    pub code: String,
    /// `phone`.
    #[serde(default)]
    pub phone: String,
    /// `homepage`.
    #[serde(default)]
    pub homepage: String,
    /// `type`: `express` or `globalpost`.
    #[serde(rename = "type", default)]
    pub kind: String,
    /// `picture`.
    #[serde(default)]
    pub picture: String,
    /// The Chinese name.
    #[serde(default)]
    pub name_cn: String,
}

impl CarrierRecord {
    /// True for a national post (`globalpost`).
    pub fn postal(&self) -> bool {
        self.kind == "globalpost"
    }
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
        let carriers: Vec<CarrierRecord> = serde_json::from_str(CARRIERS_JSON)
            .unwrap_or_else(|e| unreachable!("the built-in carrier list is valid JSON: {e}"));
        let by_code = carriers
            .iter()
            .enumerate()
            .map(|(i, c)| (c.code.clone(), i))
            .collect();
        Catalogue { carriers, by_code }
    }

    /// Every carrier, in list order.
    pub fn all(&self) -> &[CarrierRecord] {
        &self.carriers
    }

    /// The carrier with this code (case-insensitive).
    pub fn get(&self, code: &str) -> Option<&CarrierRecord> {
        match self.by_code.get(code) {
            Some(&i) => Some(&self.carriers[i]),
            None => self
                .by_code
                .get(&code.trim().to_ascii_lowercase())
                .map(|&i| &self.carriers[i]),
        }
    }

    /// Candidate carriers for a number, most likely first; empty when nothing matches.
    pub fn detect(&self, number: &str) -> Vec<&CarrierRecord> {
        detect_codes(number)
            .into_iter()
            .filter_map(|code| self.get(code))
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
        // USPS IMpb: 22 digits, or 26 with a longer service code (the v4 SDK README's example).
        p(r"^(94|93|92|95)[0-9]{20}([0-9]{4})?$", &["usps"]),
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
