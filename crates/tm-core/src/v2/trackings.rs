//! `client.trackings()`, the single half: one tracking at a time, listing and paging, and
//! the other per-call endpoints (realtime, change carrier, remote areas, transit times, air
//! cargo). The batch half is in `batches.rs`.

use futures::Stream;
use tm_types::v2::{
    AirCargoRequest, AirCargoResult, ChangeCarrierRequest, ChangeCarrierResult,
    CreateTrackingRequest, ListTrackingsRequest, MetaCode, RealtimeRequest, RealtimeResult,
    RemoteAreaQuery, RemoteResult, Tracking, TransitTime, TransitTimeQuery, TransitTimeResult,
    UpdateTrackingRequest,
};

use super::pagination::Paginator;
use super::{Client, ListPage};
use crate::decode::decode;
use crate::path::require;
use crate::{Error, Operation, Resend, Result};

/// What a single create did.
#[derive(Debug, Clone, PartialEq)]
pub enum CreateOutcome {
    /// Created; the short record the API returns.
    Created(Box<Tracking>),
    /// It already existed (4016) — possibly created by an earlier attempt of this call.
    AlreadyExists,
}

impl CreateOutcome {
    /// The created tracking, if this call created it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"tracking_number":"RN1","carrier_code":"dhl","status":"pending"}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let outcome = client.trackings().create(CreateTrackingRequest::new("dhl", "RN1")).await?;
    /// assert_eq!(outcome.tracking().map(|t| t.tracking_number.as_str()), Some("RN1"));
    /// # Ok(()) }
    /// ```
    pub fn tracking(&self) -> Option<&Tracking> {
        match self {
            CreateOutcome::Created(t) => Some(t),
            CreateOutcome::AlreadyExists => None,
        }
    }
}

/// Tracking endpoints. Get one with [`Client::trackings`].
#[derive(Debug, Clone, Copy)]
pub struct Trackings<'a> {
    pub(crate) client: &'a Client,
}

impl Trackings<'_> {
    /// Creates one tracking (`POST /trackings/post`).
    ///
    /// A 4016 is not an error but [`CreateOutcome::AlreadyExists`]: the create is resent after
    /// a timeout, and a resend that meets the first attempt's tracking must not fail.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},
    /// #   "data":{"id":"376c250081c4553cb197894fa49d888a","tracking_number":"RN123456789CN","carrier_code":"china-post","status":"pending"}}"#);
    /// use tm_core::{types::v2::CreateTrackingRequest, v2::CreateOutcome};
    /// let req = CreateTrackingRequest::new("china-post", "RN123456789CN").title("Blue mug");
    /// match client.trackings().create(req).await? {
    ///     CreateOutcome::Created(t) => println!("created {}", t.id.as_deref().unwrap_or("")),
    ///     CreateOutcome::AlreadyExists => println!("already tracked"),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, req: CreateTrackingRequest) -> Result<CreateOutcome> {
        require("tracking_number", &req.tracking_number)?;
        require("carrier_code", &req.carrier_code)?;
        let op = Operation::V2TrackingsCreate;
        let http = self.client.json_request(op, &req)?;
        let resp = self.client.send(op, http).await?;
        match decode::<Tracking>(op, &resp) {
            Ok(t) => Ok(CreateOutcome::Created(Box::new(t))),
            Err(e) if e.api_code() == Some(MetaCode::TrackingExists.into()) => {
                Ok(CreateOutcome::AlreadyExists)
            }
            Err(e) => Err(e),
        }
    }

    /// Gets one tracking with its checkpoints (`GET /trackings/{carrier}/{number}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},
    /// #   "data":{"tracking_number":"RN123456789CN","carrier_code":"china-post","status":"transit","lastEvent":"Departed,Shanghai,2019-08-06 18:39"}}"#);
    /// let t = client.trackings().get("china-post", "RN123456789CN").await?;
    /// assert_eq!(t.status().map(|s| s.as_str()), Some("transit"));
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, carrier_code: &str, tracking_number: &str) -> Result<Tracking> {
        let op = Operation::V2TrackingsGet;
        let path = op.path(&[carrier_code, tracking_number])?;
        self.client.execute(op, self.client.request(op, path)).await
    }

    /// Gets one tracking with checkpoint texts in `lang` where the carrier supports it
    /// (`GET /trackings/{carrier}/{number}/{lang}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"tracking_number":"300403513351","carrier_code":"4px"}}"#);
    /// let t = client.trackings().get_in_language("4px", "300403513351", "en").await?;
    /// # assert_eq!(t.carrier_code, "4px");
    /// # Ok(()) }
    /// ```
    pub async fn get_in_language(
        &self,
        carrier_code: &str,
        tracking_number: &str,
        lang: &str,
    ) -> Result<Tracking> {
        let op = Operation::V2TrackingsGet;
        let path = op.path(&[carrier_code, tracking_number, lang])?;
        self.client.execute(op, self.client.request(op, path)).await
    }

    /// Changes a tracking's extra fields, archive flag or status (`PUT`): the tracking as the
    /// API returns it, or `None` when it answers success with `data: []` (a PHP server's empty
    /// answer: the change was applied, nothing is returned).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"tracking_number":"RN1","carrier_code":"dhl","title":"Mug","archived":true}}"#);
    /// use tm_core::types::v2::{StatusInput, UpdateTrackingRequest};
    /// let changes = UpdateTrackingRequest::default().title("Mug").archived(true);
    /// let t = client.trackings().update("dhl", "RN1", changes).await?;
    /// assert_eq!(t.unwrap().archived.value(), Some(&true));
    /// # Ok(()) }
    /// ```
    pub async fn update(
        &self,
        carrier_code: &str,
        tracking_number: &str,
        changes: UpdateTrackingRequest,
    ) -> Result<Option<Tracking>> {
        let op = Operation::V2TrackingsUpdate;
        let path = op.path(&[carrier_code, tracking_number])?;
        if changes.is_empty() {
            return Err(Error::invalid("changes", "nothing to change"));
        }
        let req = self.client.inner.stack.json_request(op, path, &changes)?;
        let resp = self.client.send(op, req).await?;
        match decode::<UpdateAnswer>(op, &resp)? {
            UpdateAnswer::Tracking(t) => Ok(Some(*t)),
            UpdateAnswer::Nothing(_) => Ok(None),
        }
    }

    /// Deletes a tracking (`DELETE`). A 4017 on a resend after an attempt that may have been
    /// applied means that attempt deleted it, and counts as success; otherwise it is a
    /// not-found error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":[]}"#);
    /// client.trackings().delete("ups", "1Z97X17XYW06605211").await?;
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, carrier_code: &str, tracking_number: &str) -> Result<()> {
        let op = Operation::V2TrackingsDelete;
        let path = op.path(&[carrier_code, tracking_number])?;
        let resp = self.client.send(op, self.client.request(op, path)).await?;
        match decode::<serde_json::Value>(op, &resp) {
            Ok(_) => Ok(()),
            Err(e)
                if gone_means_done(op, &resp)
                    && e.api_code() == Some(MetaCode::TrackingNotFound.into()) =>
            {
                Ok(())
            }
            Err(e) => Err(e),
        }
    }

    /// Lists one page of trackings matching `filter` (`GET /trackings/get`). A tracking that
    /// does not decode does not lose the others: it comes back raw in
    /// [`ListPage::undecoded`] with its error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":100,"total":"1","count":1,
    /// #   "items":[{"tracking_number":"RN1","carrier_code":"dhl","status":"transit"}]}}"#);
    /// use tm_core::types::v2::{ListTrackingsRequest, TrackingStatus};
    /// let page = client.trackings().list(&ListTrackingsRequest::default().status(TrackingStatus::Transit)).await?;
    /// assert_eq!(page.total(), Some(1)); // `total` arrives as a string
    /// # Ok(()) }
    /// ```
    pub async fn list(&self, filter: &ListTrackingsRequest) -> Result<ListPage> {
        check_filter(filter)?;
        let op = Operation::V2TrackingsList;
        let mut req = self.client.request_at(op);
        req.query = filter.to_query();
        let resp = self.client.send(op, req).await?;
        super::page::decode_page(op, &resp)
    }

    /// A page-by-page reader over every tracking matching `filter`, starting at its `page`
    /// (default 1) with its `limit` (default 2000, the maximum).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":2000,"total":"1","items":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// let mut pages = client.trackings().pages(Default::default());
    /// while let Some(page) = pages.next_page().await {
    ///     for t in page?.items() {
    ///         println!("{}", t.tracking_number);
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, filter: ListTrackingsRequest) -> Paginator {
        Paginator::new(self.client.clone(), filter)
    }

    /// Every tracking matching `filter` as a stream, fetching page after page with the same
    /// filters and holding at most one page in memory. It ends after the last page, or with
    /// an error — never silently short.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"page":1,"limit":2000,"total":"1","items":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.trackings().list_all(Default::default()).try_collect().await?;
    /// assert_eq!(all.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn list_all(
        &self,
        filter: ListTrackingsRequest,
    ) -> impl Stream<Item = Result<Tracking>> + Send + 'static + use<> {
        // `use<>`: the stream owns its client clone and borrows nothing from `self`.
        self.pages(filter).into_items()
    }

    /// Queries the carrier right now (`POST /trackings/realtime`, 3 calls per second) and
    /// returns the tracking.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"items":[{"tracking_number":"LS912989618CN","carrier_code":"china-ems","status":"transit"}]}}"#);
    /// use tm_core::types::v2::RealtimeRequest;
    /// let t = client.trackings().realtime(RealtimeRequest::new("china-ems", "LS912989618CN")).await?;
    /// assert_eq!(t.tracking_number, "LS912989618CN");
    /// # Ok(()) }
    /// ```
    pub async fn realtime(&self, req: RealtimeRequest) -> Result<Tracking> {
        require("tracking_number", &req.tracking_number)?;
        require("carrier_code", &req.carrier_code)?;
        let op = Operation::V2TrackingsRealtime;
        let http = self.client.json_request(op, &req)?;
        let result: RealtimeResult = self.client.execute(op, http).await?;
        result
            .items
            .into_value()
            .and_then(|items| items.into_iter().next())
            .ok_or_else(|| {
                Error::Decode(Box::new(crate::DecodeError::new(
                    op,
                    "data.items",
                    "the realtime response holds no tracking",
                )))
            })
    }

    /// Moves a tracking to another carrier (`POST /trackings/update`). Never resent once it
    /// may have reached the server.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":{"Usertag":""}}"#);
    /// use tm_core::types::v2::ChangeCarrierRequest;
    /// client.trackings().change_carrier(ChangeCarrierRequest::new("LK664578623CN", "china-ems", "usps")).await?;
    /// # Ok(()) }
    /// ```
    pub async fn change_carrier(&self, req: ChangeCarrierRequest) -> Result<ChangeCarrierResult> {
        require("tracking_number", &req.tracking_number)?;
        require("carrier_code", &req.carrier_code)?;
        require("update_carrier_code", &req.update_carrier_code)?;
        let op = Operation::V2TrackingsChangeCarrier;
        let http = self.client.json_request(op, &req)?;
        self.client.execute(op, http).await
    }

    /// Checks whether destinations are remote areas for DHL, UPS, FedEx or TNT
    /// (`POST /trackings/remote`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"other":[],"remote":[{"far_express_company":"ups","two_code":"JP"}]}}"#);
    /// use tm_core::types::v2::RemoteAreaQuery;
    /// let r = client.trackings().remote_areas(&[RemoteAreaQuery::new("JP", "7621094")]).await?;
    /// assert_eq!(r.remote.value().map(Vec::len), Some(1));
    /// # Ok(()) }
    /// ```
    pub async fn remote_areas(&self, queries: &[RemoteAreaQuery]) -> Result<RemoteResult> {
        if queries.is_empty() {
            return Err(Error::invalid(
                "queries",
                "at least one destination is needed",
            ));
        }
        let op = Operation::V2TrackingsRemoteAreas;
        let http = self.client.json_request(op, queries)?;
        self.client.execute(op, http).await
    }

    /// Transit-time statistics per route (`POST /trackings/costtime`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":[{"carrier_code":"dhl","original":"CN","destination":"US","total":120}]}"#);
    /// use tm_core::types::v2::TransitTimeQuery;
    /// let stats = client.trackings().transit_times(&[TransitTimeQuery::new("dhl", "CN", "US")]).await?;
    /// assert_eq!(stats[0].total.value().and_then(|t| t.as_u64()), Some(120));
    /// # Ok(()) }
    /// ```
    pub async fn transit_times(&self, queries: &[TransitTimeQuery]) -> Result<Vec<TransitTime>> {
        if queries.is_empty() {
            return Err(Error::invalid("queries", "at least one route is needed"));
        }
        let op = Operation::V2TrackingsTransitTimes;
        let http = self.client.json_request(op, queries)?;
        let result: TransitTimeResult = self.client.execute(op, http).await?;
        Ok(result.0)
    }

    /// Tracks an air waybill (`POST /trackings/aircargo`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"track_number":"172-28891936","status":"transit"}}"#);
    /// let awb = client.trackings().air_cargo("172-28891936").await?;
    /// assert_eq!(awb.track_number.as_deref(), Some("172-28891936"));
    /// # Ok(()) }
    /// ```
    pub async fn air_cargo(&self, awb_number: &str) -> Result<AirCargoResult> {
        require("track_number", awb_number)?;
        let op = Operation::V2TrackingsAirCargo;
        let body = AirCargoRequest {
            track_number: awb_number.to_owned(),
        };
        let http = self.client.json_request(op, &body)?;
        self.client.execute(op, http).await
    }
}

/// `data` of a `PUT`: the tracking, or the empty array a PHP server sends for "nothing".
#[derive(serde::Deserialize)]
#[serde(untagged)]
enum UpdateAnswer {
    Tracking(Box<Tracking>),
    Nothing([(); 0]),
}

/// The documented limits of a list filter.
pub(crate) fn check_filter(filter: &ListTrackingsRequest) -> Result<()> {
    if let Some(limit) = filter.limit
        && (limit == 0 || limit > tm_types::v2::MAX_PAGE_LIMIT)
    {
        return Err(Error::invalid(
            "limit",
            format!("{limit} is outside 1..={}", tm_types::v2::MAX_PAGE_LIMIT),
        ));
    }
    if filter.page == Some(0) {
        return Err(Error::invalid("page", "pages start at 1"));
    }
    for (field, list) in [("numbers", &filter.numbers), ("orders", &filter.orders)] {
        if list.len() > tm_types::v2::MAX_FILTER_VALUES {
            return Err(Error::invalid(
                field,
                format!(
                    "{} values exceed the maximum of {}",
                    list.len(),
                    tm_types::v2::MAX_FILTER_VALUES
                ),
            ));
        }
    }
    Ok(())
}

/// True when a "does not exist" answer to `op` means an earlier attempt of this very call
/// deleted it: the operation reads it so on a resend, and an earlier attempt may have landed.
pub(super) fn gone_means_done(op: Operation, resp: &tm_transport::HttpResponse) -> bool {
    op.resend() == Resend::SafeGoneMeansDone && resp.attempts.earlier_may_have_applied
}
