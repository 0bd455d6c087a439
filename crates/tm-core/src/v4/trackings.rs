//! `client.trackings()`: create (the real-time call), get by filters with paging, batch create
//! with per-item outcomes, update, delete and retrack by id.

use futures::Stream;
use tm_transport::HttpResponse;
use tm_types::v2::TrackingRef;
use tm_types::v4::{
    BatchItem, BatchResult, CreateTrackingRequest, GetTrackingsRequest, Tracking, UpdateResult,
    UpdateTrackingRequest,
};

use super::pagination::{Pages, TrackingsPage, decode_page};
use super::{Client, outcomes};
use crate::batch::{BatchReport, ItemReport, check_batch_len, run_chunks};
use crate::decode::decode;
use crate::path::require;
use crate::{Error, Operation, Resend, Result};

/// Tracking endpoints. Get one with [`Client::trackings`].
#[derive(Debug, Clone, Copy)]
pub struct Trackings<'a> {
    pub(crate) client: &'a Client,
}

/// What a create did.
#[derive(Debug, Clone)]
pub enum CreateOutcome {
    /// Created; the tracking with the results fetched now (often still `updating`).
    Created(Box<Tracking>),
    /// The (number, courier) pair was already tracked (4101), possibly by an earlier attempt of
    /// this very call. The API sometimes sends the existing tracking (whole or only its id,
    /// number and courier) with the refusal; it is here when it did.
    AlreadyExists(Option<Box<Tracking>>),
}

impl CreateOutcome {
    /// The tracking, created or existing, when the API sent it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":4101,"message":"Tracking No. already exists."},"data":{"id":"9a1d3844a50f3851e76e3ee347881588","tracking_number":"RR123456789GB","courier_code":"royal-mail"}}"#);
    /// use tm_core::types::v4::CreateTrackingRequest;
    /// let outcome = client.trackings().create(CreateTrackingRequest::new("royal-mail", "RR123456789GB")).await?;
    /// assert_eq!(outcome.tracking().and_then(|t| t.id.as_deref()), Some("9a1d3844a50f3851e76e3ee347881588"));
    /// # Ok(()) }
    /// ```
    pub fn tracking(&self) -> Option<&Tracking> {
        match self {
            CreateOutcome::Created(t) => Some(t),
            CreateOutcome::AlreadyExists(t) => t.as_deref(),
        }
    }
}

/// Refuses a create item the API would refuse: no number or no courier.
fn check_create(item: &CreateTrackingRequest) -> Option<String> {
    if item.tracking_number.trim().is_empty() {
        Some("tracking_number must not be empty".into())
    } else if item.courier_code.trim().is_empty() {
        Some("courier_code must not be empty".into())
    } else {
        None
    }
}

/// True when an earlier attempt of this call may have deleted what the answer says is gone.
fn gone_means_done(op: Operation, resp: &HttpResponse) -> bool {
    op.resend() == Resend::SafeGoneMeansDone && resp.attempts.earlier_may_have_applied
}

impl Trackings<'_> {
    /// Creates a tracking and fetches its results now (`POST /trackings/create`, 3 per
    /// second). A 4101 (already tracked, perhaps by an earlier attempt of this call) is
    /// [`CreateOutcome::AlreadyExists`], not an error.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},
    /// #   "data":{"id":"99f8a21408be0b436705aa84d6f91806","tracking_number":"9400111899562537683144","courier_code":"usps","delivery_status":"pending","updating":true}}"#);
    /// use tm_core::{types::v4::CreateTrackingRequest, v4::CreateOutcome};
    /// let req = CreateTrackingRequest::new("usps", "9400111899562537683144").order_number("#1042");
    /// match client.trackings().create(req).await? {
    ///     CreateOutcome::Created(t) => assert_eq!(t.id.as_deref(), Some("99f8a21408be0b436705aa84d6f91806")),
    ///     CreateOutcome::AlreadyExists(_) => unreachable!(),
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn create(&self, req: CreateTrackingRequest) -> Result<CreateOutcome> {
        require("tracking_number", &req.tracking_number)?;
        require("courier_code", &req.courier_code)?;
        let op = Operation::V4TrackingsCreate;
        let http = self.client.stack().json_request_at(op, &req)?;
        let resp = self.client.stack().send(op, http).await?;
        match decode::<Tracking>(op, &resp) {
            Ok(t) => Ok(CreateOutcome::Created(Box::new(t))),
            Err(e) if e.is_already_exists() => {
                // The refusal may carry the existing tracking; any shape of `data` is allowed.
                let existing =
                    serde_json::from_slice::<tm_types::v4::Envelope<Tracking>>(&resp.body)
                        .ok()
                        .and_then(|env| env.data)
                        .filter(|t| t.id.is_value() || t.tracking_number.is_value())
                        .map(Box::new);
                Ok(CreateOutcome::AlreadyExists(existing))
            }
            Err(e) => Err(e),
        }
    }

    /// One page of trackings matching `filter` (`GET /trackings/get`). A tracking that does not
    /// decode does not lose the others: it comes back raw in [`TrackingsPage::undecoded`].
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},
    /// #   "data":[{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104223295","courier_code":"dhl","delivery_status":"delivered"}]}"#);
    /// use tm_core::types::v4::{DeliveryStatus, GetTrackingsRequest};
    /// let page = client.trackings().get(&GetTrackingsRequest::default().delivery_status(DeliveryStatus::Delivered)).await?;
    /// assert_eq!(page.items[0].status(), Some(&DeliveryStatus::Delivered));
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, filter: &GetTrackingsRequest) -> Result<TrackingsPage> {
        let op = Operation::V4TrackingsGet;
        let mut req = self.client.stack().request_at(op);
        req.query = filter.to_query();
        let resp = self.client.stack().send(op, req).await?;
        decode_page(op, &resp)
    }

    /// Every tracking with this number (one per courier it was created under; v4 has no
    /// single-tracking GET), optionally only under `courier_code`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[{"id":"9a71ac3628f63b843820bddbc9fb7e35","tracking_number":"9104223295","courier_code":"dhl"}]}"#);
    /// let found = client.trackings().find("9104223295", Some("dhl")).await?;
    /// assert_eq!(found.len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn find(
        &self,
        tracking_number: &str,
        courier_code: Option<&str>,
    ) -> Result<Vec<Tracking>> {
        require("tracking_number", tracking_number)?;
        let mut filter = GetTrackingsRequest::default().tracking_numbers([tracking_number.trim()]);
        if let Some(c) = courier_code {
            require("courier_code", c)?;
            filter = filter.courier_code(c.trim());
        }
        let page = self.get(&filter).await?;
        match page.undecoded.into_iter().next() {
            Some(bad) => Err(Error::Undecoded(Box::new(bad))),
            None => Ok(page.items),
        }
    }

    /// Pages of a listing, read on demand (see [`Pages`]).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[]}"#);
    /// let mut pages = client.trackings().pages(Default::default());
    /// let first = pages.next_page().await.unwrap()?;
    /// # assert!(first.is_empty()); Ok(()) }
    /// ```
    pub fn pages(&self, filter: GetTrackingsRequest) -> Pages {
        Pages::new(self.client.clone(), filter)
    }

    /// Every tracking matching `filter`, page after page (`pages_amount` 1, 2, … until a short
    /// page), as a stream holding one page at a time.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":[{"id":"a","tracking_number":"1"},{"id":"b","tracking_number":"2"}]}"#);
    /// use futures::TryStreamExt;
    /// let all: Vec<_> = client.trackings().get_all(Default::default()).try_collect().await?;
    /// assert_eq!(all.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn get_all(
        &self,
        filter: GetTrackingsRequest,
    ) -> impl Stream<Item = Result<Tracking>> + Send + 'static + use<> {
        // `use<>`: the stream owns its client clone and borrows nothing from `self`.
        self.pages(filter).into_items()
    }

    /// Changes a tracking's fields, courier (`courier_code_new`) or archive state
    /// (`PUT /trackings/update/{id}`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":{"id":"9a1d3844a50f3851e76e3ee347881588","customer_name":"New name","destination_country":"US"}}"#);
    /// use tm_core::types::v4::UpdateTrackingRequest;
    /// let changes = UpdateTrackingRequest::default().customer_name("New name").destination_country_iso2("US");
    /// let result = client.trackings().update("9a1d3844a50f3851e76e3ee347881588", changes).await?;
    /// assert_eq!(result.destination_country.as_deref(), Some("US")); // `_iso2` in, plain out
    /// # Ok(()) }
    /// ```
    pub async fn update(&self, id: &str, changes: UpdateTrackingRequest) -> Result<UpdateResult> {
        let op = Operation::V4TrackingsUpdate;
        let path = op.path(&[id.trim()])?;
        if changes.is_empty() {
            return Err(Error::invalid("changes", "nothing to change"));
        }
        let req = self.client.stack().json_request(op, path, &changes)?;
        self.client.stack().execute(op, req).await
    }

    /// Deletes a tracking (`DELETE /trackings/delete/{id}`): what the API returns of it
    /// (probably only its id, number and courier). `None` when a resend after an attempt that
    /// may have been applied met "invalid id" (4112) or "no such tracking" (4102): that attempt
    /// deleted it.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":{"id":"9a1d3844a50f3851e76e3ee347881588","tracking_number":"1","courier_code":"usps"}}"#);
    /// let gone = client.trackings().delete("9a1d3844a50f3851e76e3ee347881588").await?;
    /// assert_eq!(gone.and_then(|t| t.courier_code.into_value()).as_deref(), Some("usps"));
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, id: &str) -> Result<Option<Tracking>> {
        let op = Operation::V4TrackingsDelete;
        let path = op.path(&[id.trim()])?;
        let resp = self
            .client
            .stack()
            .send(op, self.client.stack().request(op, path))
            .await?;
        match decode::<Option<Tracking>>(op, &resp) {
            Ok(t) => Ok(t),
            Err(e) if gone_means_done(op, &resp) && e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Restarts an expired tracking (`POST /trackings/retrack/{id}`); any other status is
    /// refused with 4113. Not resent after an attempt that may have been applied.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":{"id":"99ff2ce10105aeb8627ec0c03e1773bd","delivery_status":"pending","updating":true}}"#);
    /// let t = client.trackings().retrack("99ff2ce10105aeb8627ec0c03e1773bd").await?;
    /// assert_eq!(t.updating.value(), Some(&true));
    /// # Ok(()) }
    /// ```
    pub async fn retrack(&self, id: &str) -> Result<Tracking> {
        let op = Operation::V4TrackingsRetrack;
        let path = op.path(&[id.trim()])?;
        self.client
            .stack()
            .execute(op, self.client.stack().request(op, path))
            .await
    }

    /// Creates up to 40 trackings in one call (`POST /trackings/batch`, a bare JSON array) and
    /// returns the API's own result. Prefer [`create_many`](Self::create_many).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":{"success":[{"id":"9a1d3844a50f3851e76e3ee347881588","tracking_number":"1","courier_code":"usps"}],"error":[]}}"#);
    /// use tm_core::types::v4::CreateTrackingRequest;
    /// let result = client.trackings().create_batch(&[CreateTrackingRequest::new("usps", "1")]).await?;
    /// assert_eq!(result.succeeded().len(), 1);
    /// # Ok(()) }
    /// ```
    pub async fn create_batch(&self, items: &[CreateTrackingRequest]) -> Result<BatchResult> {
        check_batch_len(items.len(), self.client.config().batch_size)?;
        if let Some(reason) = items.iter().find_map(check_create) {
            return Err(Error::invalid("items", reason));
        }
        let op = Operation::V4TrackingsCreateBatch;
        let req = self.client.stack().json_request_at(op, items)?;
        self.client.stack().execute(op, req).await
    }

    /// Creates any number of trackings in calls of the batch size, one
    /// [`ItemOutcome`](crate::ItemOutcome) per item in input order: created (with its id),
    /// already existed (4101, so a resent batch is never a failure), rejected with its code,
    /// invalid, or not sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":{"success":[{"id":"9a1d3844a50f3851e76e3ee347881588","tracking_number":"1","courier_code":"usps"}],
    /// #   "error":[{"tracking_number":"2","courier_code":"usps","errorCode":4101,"errorMessage":"Tracking No. already exists."}]}}"#);
    /// use tm_core::types::v4::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["1", "2"].map(|n| CreateTrackingRequest::new("usps", n))).await;
    /// let c = report.counts();
    /// assert_eq!((c.created, c.already_existed), (1, 1));
    /// # }
    /// ```
    pub async fn create_many(
        &self,
        items: impl IntoIterator<Item = CreateTrackingRequest>,
    ) -> BatchReport<BatchItem> {
        self.create_many_with(items, |_| {}).await
    }

    /// [`create_many`](Self::create_many), calling `on_chunk` with each chunk's outcomes as
    /// soon as it is done.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"ok"},"data":{"success":[{"id":"a","tracking_number":"1","courier_code":"usps"}],"error":[]}}"#);
    /// use tm_core::types::v4::CreateTrackingRequest;
    /// let mut done = 0;
    /// let report = client.trackings().create_many_with([CreateTrackingRequest::new("usps", "1")], |c| done += c.len()).await;
    /// assert_eq!(done, report.items.len());
    /// # }
    /// ```
    pub async fn create_many_with(
        &self,
        items: impl IntoIterator<Item = CreateTrackingRequest>,
        on_chunk: impl FnMut(&[ItemReport<BatchItem>]),
    ) -> BatchReport<BatchItem> {
        let items: Vec<CreateTrackingRequest> = items.into_iter().collect();
        run_chunks(
            self.client.config().batch_size,
            items,
            |i| TrackingRef::new(&i.courier_code, &i.tracking_number),
            check_create,
            |chunk| async move {
                let op = Operation::V4TrackingsCreateBatch;
                let req = self.client.stack().json_request_at(op, &chunk)?;
                let result: BatchResult = self.client.stack().execute(op, req).await?;
                Ok(outcomes::create_outcomes(&chunk, result))
            },
            on_chunk,
        )
        .await
    }
}
