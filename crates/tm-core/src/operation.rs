//! Every call the clients make, named once: its wire method and path template, whether a
//! resend is safe and how a resend's answer reads, and its rate class. Errors, tracing spans,
//! recorded fixtures, the conformance runners and `cargo xtask` all use these names.

use std::fmt;

use tm_transport::{Method, RateClass};

use crate::error::Error;
use crate::path::segment;
use crate::v2::rules as v2;
use crate::v4::rules as v4;

/// The API generation an operation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Api {
    /// TrackingMore v2 (`/v2`, `Trackingmore-Api-Key`, errors inside HTTP 200).
    V2,
    /// TrackingMore v4 (`/v4`, `Tracking-Api-Key`, errors mirrored into the HTTP status).
    V4,
}

impl std::fmt::Display for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Api::V2 => "v2",
            Api::V4 => "v4",
        })
    }
}

/// What sending an operation twice does, and so whether the retry layer may resend it after an
/// attempt that may have reached the server (a timeout, a broken connection).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Resend {
    /// Reading, or setting fields to given values: a second send changes nothing more.
    Safe,
    /// Creating: a resend may meet what the first attempt created, so its "already exists"
    /// answer (v2 4016, v4 4101) means the work is done.
    SafeExistsMeansDone,
    /// Deleting: after an attempt that may have been applied, a resend's "does not exist"
    /// answer (v2 4017, v4 4112/4102) means the first attempt deleted it.
    SafeGoneMeansDone,
    /// Never resent once it may have been applied: a second send would change more.
    Never,
}

impl Resend {
    /// True when the retry layer may resend after an attempt that may have been applied.
    ///
    /// ```
    /// use tm_core::{Operation, Resend};
    /// assert!(Operation::V2TrackingsCreate.resend().is_safe());
    /// assert_eq!(Operation::V2TrackingsChangeCarrier.resend(), Resend::Never);
    /// ```
    pub fn is_safe(self) -> bool {
        !matches!(self, Resend::Never)
    }
}

/// Declares the operation table: one row per call, everything else derived from it.
macro_rules! operations {
    ($(
        $(#[$doc:meta])*
        $variant:ident = $name:literal, $api:ident, $method:ident $path:literal, $resend:ident, [$($class:expr),+];
    )*) => {
        /// One call of the API: every fact the client, the retry layer and the test tooling need
        /// about it, from one table.
        ///
        /// ```
        /// use tm_core::{Api, Operation};
        /// let op = Operation::V2TrackingsList;
        /// assert_eq!(op.name(), "v2.trackings.list");
        /// assert_eq!(op.api(), Api::V2);
        /// assert_eq!(op.path_template(), "/trackings/get");
        /// assert_eq!(op.rate_classes()[0].as_str(), "list");
        /// assert_eq!(Operation::from_name("v2.trackings.list"), Some(op));
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Operation {
            $( $(#[$doc])* $variant, )*
        }

        impl Operation {
            /// Every operation, in table order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant),*];

            /// The stable name, as errors, logs and fixtures show it: the client method's
            /// resource and name (`v2.trackings.create_batch`).
            pub fn name(self) -> &'static str {
                match self { $(Operation::$variant => $name,)* }
            }

            /// The API generation.
            pub fn api(self) -> Api {
                match self { $(Operation::$variant => Api::$api,)* }
            }

            /// The HTTP method.
            pub fn method(self) -> Method {
                match self { $(Operation::$variant => Method::$method,)* }
            }

            /// The path under the generation's base URL, with `{name}` for each parameter and
            /// `[/{name}]` for an optional last one.
            pub fn path_template(self) -> &'static str {
                match self { $(Operation::$variant => $path,)* }
            }

            /// What a resend does.
            pub fn resend(self) -> Resend {
                match self { $(Operation::$variant => Resend::$resend,)* }
            }

            /// The rate-limit classes the call counts against, its own first (a v4 create
            /// counts against `create` and the overall `default`).
            pub fn rate_classes(self) -> &'static [RateClass] {
                match self { $(Operation::$variant => const { &[$($class),+] },)* }
            }
        }
    };
}

operations! {
    /// `GET /carriers`: every carrier.
    V2CarriersList = "v2.carriers.list", V2, Get "/carriers", Safe, [v2::DEFAULT];
    /// `POST /carriers/detect`: the carriers a number may belong to.
    V2CarriersDetect = "v2.carriers.detect", V2, Post "/carriers/detect", Safe, [v2::DEFAULT];
    /// `POST /trackings/post`: create one tracking.
    V2TrackingsCreate = "v2.trackings.create", V2, Post "/trackings/post", SafeExistsMeansDone, [v2::DEFAULT];
    /// `GET /trackings/{carrier}/{number}[/{lang}]`: one tracking.
    V2TrackingsGet = "v2.trackings.get", V2, Get "/trackings/{carrier_code}/{tracking_number}[/{lang}]", Safe, [v2::DEFAULT];
    /// `PUT /trackings/{carrier}/{number}`: change one tracking's fields.
    V2TrackingsUpdate = "v2.trackings.update", V2, Put "/trackings/{carrier_code}/{tracking_number}", Safe, [v2::DEFAULT];
    /// `DELETE /trackings/{carrier}/{number}`: delete one tracking.
    V2TrackingsDelete = "v2.trackings.delete", V2, Delete "/trackings/{carrier_code}/{tracking_number}", SafeGoneMeansDone, [v2::DEFAULT];
    /// `POST /trackings/batch`: create up to 40 trackings.
    V2TrackingsCreateBatch = "v2.trackings.create_batch", V2, Post "/trackings/batch", SafeExistsMeansDone, [v2::DEFAULT];
    /// `GET /trackings/get`: one page of trackings.
    V2TrackingsList = "v2.trackings.list", V2, Get "/trackings/get", Safe, [v2::LIST];
    /// `POST /trackings/updatemore`: change up to 40 trackings.
    V2TrackingsUpdateBatch = "v2.trackings.update_batch", V2, Post "/trackings/updatemore", Safe, [v2::DEFAULT];
    /// `POST /trackings/delete`: delete up to 40 trackings.
    V2TrackingsDeleteBatch = "v2.trackings.delete_batch", V2, Post "/trackings/delete", SafeGoneMeansDone, [v2::DEFAULT];
    /// `POST /trackings/notupdate`: stop updating up to 40 trackings.
    V2TrackingsStopUpdatingBatch = "v2.trackings.stop_updating_batch", V2, Post "/trackings/notupdate", Safe, [v2::DEFAULT];
    /// `POST /trackings/realtime`: ask the carrier now.
    V2TrackingsRealtime = "v2.trackings.realtime", V2, Post "/trackings/realtime", Safe, [v2::REALTIME];
    /// `POST /trackings/update`: move a tracking to another carrier. Changing twice is not
    /// changing once.
    V2TrackingsChangeCarrier = "v2.trackings.change_carrier", V2, Post "/trackings/update", Never, [v2::DEFAULT];
    /// `POST /trackings/remote`: are these destinations remote areas.
    V2TrackingsRemoteAreas = "v2.trackings.remote_areas", V2, Post "/trackings/remote", Safe, [v2::DEFAULT];
    /// `POST /trackings/costtime`: transit-time statistics.
    V2TrackingsTransitTimes = "v2.trackings.transit_times", V2, Post "/trackings/costtime", Safe, [v2::DEFAULT];
    /// `POST /trackings/aircargo`: one air waybill.
    V2TrackingsAirCargo = "v2.trackings.air_cargo", V2, Post "/trackings/aircargo", Safe, [v2::DEFAULT];
    /// `GET /trackings/getuserinfo`: the account.
    V2AccountUserInfo = "v2.account.user_info", V2, Get "/trackings/getuserinfo", Safe, [v2::DEFAULT];
    /// `GET /trackings/getstatusnumber`: trackings per status.
    V2AccountStatusCounts = "v2.account.status_counts", V2, Get "/trackings/getstatusnumber", Safe, [v2::DEFAULT];
    /// `GET /couriers/all` (v4): every courier.
    V4CouriersList = "v4.couriers.list", V4, Get "/couriers/all", Safe, [v4::DEFAULT];
    /// `POST /couriers/detect` (v4): the couriers a number may belong to, likeliest first.
    V4CouriersDetect = "v4.couriers.detect", V4, Post "/couriers/detect", Safe, [v4::DEFAULT];
    /// `POST /trackings/create` (v4): create one tracking and fetch it now (the real-time call).
    V4TrackingsCreate = "v4.trackings.create", V4, Post "/trackings/create", SafeExistsMeansDone, [v4::CREATE, v4::DEFAULT];
    /// `GET /trackings/get` (v4): one page of trackings by filters.
    V4TrackingsGet = "v4.trackings.get", V4, Get "/trackings/get", Safe, [v4::DEFAULT];
    /// `POST /trackings/batch` (v4): create up to 40 trackings.
    V4TrackingsCreateBatch = "v4.trackings.create_batch", V4, Post "/trackings/batch", SafeExistsMeansDone, [v4::DEFAULT];
    /// `PUT /trackings/update/{id}` (v4): change one tracking's fields.
    V4TrackingsUpdate = "v4.trackings.update", V4, Put "/trackings/update/{id}", Safe, [v4::DEFAULT];
    /// `DELETE /trackings/delete/{id}` (v4): delete one tracking.
    V4TrackingsDelete = "v4.trackings.delete", V4, Delete "/trackings/delete/{id}", SafeGoneMeansDone, [v4::DEFAULT];
    /// `POST /trackings/retrack/{id}` (v4): restart an expired tracking. Once applied, a resend
    /// would be refused (4113: no longer expired), so it is not resent.
    V4TrackingsRetrack = "v4.trackings.retrack", V4, Post "/trackings/retrack/{id}", Never, [v4::DEFAULT];
    /// `POST /awb` (v4): one air waybill, in real time.
    V4AirWaybillsGet = "v4.air_waybills.get", V4, Post "/awb", Safe, [v4::DEFAULT];
}

/// One piece of a path template.
enum Piece<'a> {
    Literal(&'a str),
    Param(&'a str),
}

/// Splits a template into pieces and its optional last parameter.
fn parse_template(template: &str) -> (Vec<Piece<'_>>, Option<&str>) {
    let (required, optional) = match template.split_once("[/{") {
        Some((head, tail)) => (head, tail.strip_suffix("}]")),
        None => (template, None),
    };
    let pieces = required
        .split('/')
        .filter(|s| !s.is_empty())
        .map(
            |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Piece::Param(name),
                None => Piece::Literal(s),
            },
        )
        .collect();
    (pieces, optional)
}

impl Operation {
    /// Every known operation with this name.
    pub fn from_name(name: &str) -> Option<Operation> {
        Operation::ALL.iter().copied().find(|o| o.name() == name)
    }

    /// The names of the template's parameters, in order (the optional one last).
    ///
    /// ```
    /// use tm_core::Operation;
    /// assert_eq!(
    ///     Operation::V2TrackingsGet.path_params(),
    ///     ["carrier_code", "tracking_number", "lang"]
    /// );
    /// ```
    pub fn path_params(self) -> Vec<&'static str> {
        let (pieces, optional) = parse_template(self.path_template());
        pieces
            .into_iter()
            .filter_map(|p| match p {
                Piece::Param(name) => Some(name),
                Piece::Literal(_) => None,
            })
            .chain(optional)
            .collect()
    }

    /// The path with `values` percent-encoded into the parameters, in order; the optional
    /// parameter may be left out. An empty value, `.` or `..` is refused with the parameter's
    /// name, before anything is sent.
    ///
    /// ```
    /// use tm_core::Operation;
    /// let op = Operation::V2TrackingsGet;
    /// assert_eq!(op.path(&["dhl", "RN 1"]).unwrap(), "/trackings/dhl/RN%201");
    /// assert_eq!(op.path(&["4px", "300403513351", "en"]).unwrap(), "/trackings/4px/300403513351/en");
    /// assert_eq!(op.path(&["dhl", ""]).unwrap_err().to_string(), "invalid tracking_number: must not be empty");
    /// ```
    pub fn path(self, values: &[&str]) -> Result<String, Error> {
        let (pieces, optional) = parse_template(self.path_template());
        let required = pieces
            .iter()
            .filter(|p| matches!(p, Piece::Param(_)))
            .count();
        let fits = values.len() == required || (optional.is_some() && values.len() == required + 1);
        if !fits {
            return Err(Error::invalid(
                "path",
                format!(
                    "{} takes {required} path value(s), {} given",
                    self.name(),
                    values.len()
                ),
            ));
        }
        let mut out = String::new();
        let mut given = values.iter();
        for piece in &pieces {
            out.push('/');
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Param(name) => out.push_str(&segment(name, given.next().unwrap_or(&""))?),
            }
        }
        if let (Some(name), Some(v)) = (optional, given.next()) {
            out.push('/');
            out.push_str(&segment(name, v)?);
        }
        Ok(out)
    }

    /// The parameters of `path` (relative to the base URL, percent-encoded as sent) if it is
    /// this operation's path, decoded.
    ///
    /// ```
    /// use tm_core::Operation;
    /// let params = Operation::V2TrackingsDelete.match_path("/trackings/ups/1Z%2099").unwrap();
    /// assert_eq!(params, [("carrier_code", "ups".to_owned()), ("tracking_number", "1Z 99".to_owned())]);
    /// assert!(Operation::V2TrackingsDelete.match_path("/trackings/get").is_none());
    /// ```
    pub fn match_path(self, path: &str) -> Option<Vec<(&'static str, String)>> {
        let (pieces, optional) = parse_template(self.path_template());
        let got: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let extra = got.len().checked_sub(pieces.len())?;
        if extra > usize::from(optional.is_some()) {
            return None;
        }
        let mut params = Vec::new();
        for (piece, value) in pieces.iter().zip(&got) {
            match piece {
                Piece::Literal(s) if s == value => {}
                Piece::Literal(_) => return None,
                Piece::Param(name) => params.push((*name, decode(value))),
            }
        }
        if let (Some(name), Some(value)) = (optional, got.get(pieces.len())) {
            params.push((name, decode(value)));
        }
        Some(params)
    }
}

fn decode(segment: &str) -> String {
    percent_encoding::percent_decode_str(segment)
        .decode_utf8_lossy()
        .into_owned()
}

impl fmt::Display for Operation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_read_back() {
        for op in Operation::ALL {
            assert_eq!(Operation::from_name(op.name()), Some(*op), "{op:?}");
        }
        let mut names: Vec<&str> = Operation::ALL.iter().map(|o| o.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Operation::ALL.len());
    }

    #[test]
    fn every_template_builds_and_matches_its_own_paths() {
        for op in Operation::ALL {
            let values: Vec<String> = op
                .path_params()
                .iter()
                .enumerate()
                .map(|(i, _)| format!("v {i}/x"))
                .collect();
            let refs: Vec<&str> = values.iter().map(String::as_str).collect();
            let path = op.path(&refs).unwrap();
            let back = op.match_path(&path).unwrap();
            let got: Vec<&str> = back.iter().map(|(_, v)| v.as_str()).collect();
            assert_eq!(got, refs, "{op}");
        }
    }

    #[test]
    fn only_changing_the_carrier_and_retracking_are_never_resent() {
        let never: Vec<Operation> = Operation::ALL
            .iter()
            .copied()
            .filter(|o| !o.resend().is_safe())
            .collect();
        assert_eq!(
            never,
            [
                Operation::V2TrackingsChangeCarrier,
                Operation::V4TrackingsRetrack
            ]
        );
    }
}
