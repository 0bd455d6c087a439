//! Reading request parameters the way the PHP server does: a JSON body or a query string,
//! numbers given as numeric strings, booleans as `1`/`"1"`/`"true"`, Unix times as integers or
//! numeric strings. Only what no PHP coercion would accept is refused, with the parameter's
//! name.

use serde_json::{Map, Value};

use super::Reply;

/// One parameter as it came: from JSON, or a query string's text.
#[derive(Debug, Clone, Copy)]
enum Raw<'a> {
    Json(&'a Value),
    Text(&'a str),
}

/// The parameters of a request.
#[derive(Debug, Clone, Copy)]
pub enum Params<'a> {
    /// A JSON object body.
    Json(&'a Map<String, Value>),
    /// Query-string pairs (already decoded).
    Query(&'a [(String, String)]),
    /// Nothing (no body, or one that is not JSON).
    None,
}

fn invalid(key: &str, what: &str) -> Reply {
    Reply::err_with(4012, format!("Invalid parameter `{key}`: {what}."))
}

impl<'a> Params<'a> {
    /// The parameters of a JSON body (an object), or none.
    pub fn from_body(body: Option<&'a Value>) -> Params<'a> {
        match body {
            Some(Value::Object(m)) => Params::Json(m),
            _ => Params::None,
        }
    }

    fn raw(&self, key: &str) -> Option<Raw<'a>> {
        match *self {
            Params::Json(m) => match m.get(key) {
                None | Some(Value::Null) => None,
                Some(v) => Some(Raw::Json(v)),
            },
            Params::Query(q) => q
                .iter()
                .rev()
                .find(|(k, _)| k == key)
                .map(|(_, v)| Raw::Text(v.as_str())),
            Params::None => None,
        }
    }

    /// A text parameter: strings as they are, numbers and booleans as PHP prints them.
    pub fn text(&self, key: &str) -> Result<Option<String>, Reply> {
        Ok(match self.raw(key) {
            None => None,
            Some(Raw::Text(t)) => Some(t.to_owned()),
            Some(Raw::Json(Value::String(s))) => Some(s.clone()),
            Some(Raw::Json(Value::Number(n))) => Some(n.to_string()),
            Some(Raw::Json(Value::Bool(b))) => Some(if *b { "1" } else { "" }.to_owned()),
            Some(Raw::Json(_)) => return Err(invalid(key, "expected a string")),
        })
    }

    /// A text parameter, trimmed, with `""` read as absent.
    pub fn nonempty(&self, key: &str) -> Result<Option<String>, Reply> {
        Ok(self
            .text(key)?
            .map(|t| t.trim().to_owned())
            .filter(|t| !t.is_empty()))
    }

    /// An integer: a JSON number (a fraction is cut, as PHP's `intval`) or a numeric string;
    /// `""` is absent.
    pub fn int(&self, key: &str) -> Result<Option<i64>, Reply> {
        let parse = |t: &str| -> Result<Option<i64>, Reply> {
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i64>()
                .ok()
                .or_else(|| {
                    t.parse::<f64>()
                        .ok()
                        .filter(|f| f.is_finite())
                        .map(|f| f as i64)
                })
                .map(Some)
                .ok_or_else(|| invalid(key, "expected a number"))
        };
        match self.raw(key) {
            None => Ok(None),
            Some(Raw::Text(t)) => parse(t),
            Some(Raw::Json(Value::String(s))) => parse(s),
            Some(Raw::Json(Value::Number(n))) => Ok(n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.is_finite()).map(|f| f as i64))),
            Some(Raw::Json(Value::Bool(b))) => Ok(Some(i64::from(*b))),
            Some(Raw::Json(_)) => Err(invalid(key, "expected a number")),
        }
    }

    /// A boolean: `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`; `""` is absent.
    pub fn flag(&self, key: &str) -> Result<Option<bool>, Reply> {
        let parse = |t: &str| match t.trim().to_ascii_lowercase().as_str() {
            "" => Ok(None),
            "1" | "true" | "yes" | "on" => Ok(Some(true)),
            "0" | "false" | "no" | "off" => Ok(Some(false)),
            _ => Err(invalid(key, "expected true or false")),
        };
        match self.raw(key) {
            None => Ok(None),
            Some(Raw::Text(t)) => parse(t),
            Some(Raw::Json(Value::String(s))) => parse(s),
            Some(Raw::Json(Value::Bool(b))) => Ok(Some(*b)),
            Some(Raw::Json(Value::Number(n))) => Ok(Some(n.as_f64().is_some_and(|f| f != 0.0))),
            Some(Raw::Json(_)) => Err(invalid(key, "expected true or false")),
        }
    }

    /// A comma-separated list, or a JSON array of strings.
    pub fn list(&self, key: &str) -> Result<Vec<String>, Reply> {
        let split = |t: &str| {
            t.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        };
        match self.raw(key) {
            None => Ok(Vec::new()),
            Some(Raw::Text(t)) => Ok(split(t)),
            Some(Raw::Json(Value::String(s))) => Ok(split(s)),
            Some(Raw::Json(Value::Array(a))) => a
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.trim().to_owned()),
                    Value::Number(n) => Ok(n.to_string()),
                    _ => Err(invalid(key, "expected a list of strings")),
                })
                .collect(),
            Some(Raw::Json(_)) => Err(invalid(key, "expected a comma-separated list")),
        }
    }

    /// The value as sent, for fields that are stored and echoed back (a string, or for
    /// `customer_email` an array of strings); numbers become their text.
    pub fn echo(&self, key: &str) -> Result<Option<Value>, Reply> {
        match self.raw(key) {
            None => Ok(None),
            Some(Raw::Text(t)) => Ok(Some(Value::String(t.to_owned()))),
            Some(Raw::Json(Value::Array(a))) if a.iter().all(Value::is_string) => {
                Ok(Some(Value::Array(a.clone())))
            }
            Some(Raw::Json(_)) => self.text(key).map(|t| t.map(Value::String)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn php_reads_strings_as_numbers_and_flags() {
        let body = json!({"page": "2", "limit": 10.0, "auto_correct": "1", "archived": "false",
                          "numbers": "A, B", "n": 7, "bad": "ten", "obj": {}});
        let p = Params::from_body(Some(&body));
        assert_eq!(p.int("page").unwrap(), Some(2));
        assert_eq!(p.int("limit").unwrap(), Some(10));
        assert_eq!(p.flag("auto_correct").unwrap(), Some(true));
        assert_eq!(p.flag("archived").unwrap(), Some(false));
        assert_eq!(p.list("numbers").unwrap(), ["A", "B"]);
        assert_eq!(p.text("n").unwrap().as_deref(), Some("7"));
        assert_eq!(p.int("missing").unwrap(), None);
        assert_eq!(p.int("bad").unwrap_err().code, 4012);
        assert!(p.int("bad").unwrap_err().message.contains("`bad`"));
        assert_eq!(p.text("obj").unwrap_err().code, 4012);
        let q = vec![("limit".to_owned(), " 5 ".to_owned())];
        assert_eq!(Params::Query(&q).int("limit").unwrap(), Some(5));
    }
}
