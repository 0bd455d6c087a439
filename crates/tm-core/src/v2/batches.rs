//! `client.trackings()`, the batch half: one call of up to 40 items (`create_batch`, …), and
//! any number of items in chunks with one outcome per item (`create_many`, …).

use tm_types::v2::{
    BatchCreateResult, BatchResult, CreateTrackingRequest, TrackingRef, UpdateMoreItem,
};

use super::Trackings;
use super::outcomes::{change_outcomes, create_outcomes};
use super::trackings::gone_means_done;
use crate::batch::{BatchReport, ItemReport, check_batch_len, run_chunks};
use crate::decode::decode;
use crate::{Error, Operation, Result};

fn check_create(item: &CreateTrackingRequest) -> Option<String> {
    if item.tracking_number.trim().is_empty() {
        Some("tracking_number must not be empty".into())
    } else if item.carrier_code.trim().is_empty() {
        Some("carrier_code must not be empty".into())
    } else {
        None
    }
}

fn check_ref(target: &TrackingRef) -> Option<String> {
    if target.tracking_number.trim().is_empty() {
        Some("tracking_number must not be empty".into())
    } else if target.carrier_code.trim().is_empty() {
        Some("carrier_code must not be empty".into())
    } else {
        None
    }
}

impl Trackings<'_> {
    /// Creates up to one batch of trackings in one call (`POST /trackings/batch`) and returns
    /// the API's own result. Prefer [`create_many`](Self::create_many), which takes any number
    /// and reports every item.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201,"type":"Created","message":"ok"},
    /// #   "data":{"submitted":1,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"china-post"}],"errors":[]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let result = client.trackings().create_batch(&[CreateTrackingRequest::new("china-post", "RN1")]).await?;
    /// assert_eq!(result.trackings.value().map(Vec::len), Some(1));
    /// # Ok(()) }
    /// ```
    pub async fn create_batch(&self, items: &[CreateTrackingRequest]) -> Result<BatchCreateResult> {
        check_batch_len(items.len(), self.client.config().batch_size)?;
        for item in items {
            if let Some(reason) = check_create(item) {
                return Err(Error::invalid("items", reason));
            }
        }
        let op = Operation::V2TrackingsCreateBatch;
        let req = self.client.json_request(op, items)?;
        self.client.execute(op, req).await
    }

    /// Creates any number of trackings, in calls of the configured batch size, and reports
    /// one [`ItemOutcome`](crate::ItemOutcome) per item in input order: created, already existed (4016 — so a retried
    /// create is never a failure), rejected with its code, or not sent.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201,"type":"Created","message":"ok"},
    /// #   "data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"china-post"}],
    /// #   "errors":[{"tracking_number":"RN2","carrier_code":"china-post","code":4016,"message":"Tracking already exists."}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let items = ["RN1", "RN2"].map(|n| CreateTrackingRequest::new("china-post", n));
    /// let report = client.trackings().create_many(items).await;
    /// let counts = report.counts();
    /// assert_eq!((counts.created, counts.already_existed), (1, 1));
    /// # Ok(()) }
    /// ```
    pub async fn create_many(
        &self,
        items: impl IntoIterator<Item = CreateTrackingRequest>,
    ) -> BatchReport {
        self.create_many_with(items, |_| {}).await
    }

    /// [`create_many`](Self::create_many), calling `on_chunk` with each chunk's outcomes as
    /// soon as it is done (for progress bars and journals).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":201},"data":{"submitted":2,"added":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}],"errors":[{"tracking_number":"RN2","carrier_code":"dhl","code":4015,"message":"bad carrier"}]}}"#);
    /// use tm_core::types::v2::CreateTrackingRequest;
    /// let report = client.trackings().create_many(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n))).await;
    /// # let _ = report;
    /// let mut done = 0;
    /// let report = client.trackings().create_many_with(["RN1", "RN2"].map(|n| CreateTrackingRequest::new("dhl", n)), |chunk| done += chunk.len()).await;
    /// assert_eq!(done, report.items.len());
    /// # }
    /// ```
    pub async fn create_many_with(
        &self,
        items: impl IntoIterator<Item = CreateTrackingRequest>,
        on_chunk: impl FnMut(&[ItemReport]),
    ) -> BatchReport {
        let items: Vec<CreateTrackingRequest> = items.into_iter().collect();
        run_chunks(
            self.client.config().batch_size,
            items,
            |i| TrackingRef::new(&i.carrier_code, &i.tracking_number),
            check_create,
            |chunk| async move {
                let op = Operation::V2TrackingsCreateBatch;
                let req = self.client.json_request(op, &chunk)?;
                let result: BatchCreateResult = self.client.execute(op, req).await?;
                Ok(create_outcomes(&chunk, result))
            },
            on_chunk,
        )
        .await
    }

    /// Changes up to one batch of trackings in one call (`POST /trackings/updatemore`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"update":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// use tm_core::types::v2::{TrackingRef, UpdateMoreItem, UpdateTrackingRequest};
    /// let item = UpdateMoreItem::new(TrackingRef::new("dhl", "RN1"), UpdateTrackingRequest::default().title("Mug"));
    /// let result = client.trackings().update_batch(&[item]).await?;
    /// # assert!(result.trackings.is_value());
    /// # Ok(()) }
    /// ```
    pub async fn update_batch(&self, items: &[UpdateMoreItem]) -> Result<BatchResult> {
        check_batch_len(items.len(), self.client.config().batch_size)?;
        let op = Operation::V2TrackingsUpdateBatch;
        let req = self.client.json_request(op, items)?;
        self.client.execute(op, req).await
    }

    /// Changes any number of trackings, one [`ItemOutcome`](crate::ItemOutcome) per item.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"update":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// use tm_core::types::v2::{TrackingRef, UpdateMoreItem, UpdateTrackingRequest};
    /// let item = UpdateMoreItem::new(TrackingRef::new("dhl", "RN1"), UpdateTrackingRequest::default().archived(true));
    /// let report = client.trackings().update_many([item]).await;
    /// assert!(report.is_complete());
    /// # Ok(()) }
    /// ```
    pub async fn update_many(
        &self,
        items: impl IntoIterator<Item = UpdateMoreItem>,
    ) -> BatchReport {
        let items: Vec<UpdateMoreItem> = items.into_iter().collect();
        run_chunks(
            self.client.config().batch_size,
            items,
            |i| TrackingRef::new(&i.carrier_code, &i.tracking_number),
            |i| {
                check_ref(&TrackingRef::new(&i.carrier_code, &i.tracking_number))
                    .or_else(|| i.changes.is_empty().then(|| "nothing to change".to_owned()))
            },
            |chunk| async move {
                let op = Operation::V2TrackingsUpdateBatch;
                let req = self.client.json_request(op, &chunk)?;
                let resp = self.client.send(op, req).await?;
                let result: BatchResult = decode(op, &resp)?;
                let refs: Vec<TrackingRef> = chunk
                    .iter()
                    .map(|i| TrackingRef::new(&i.carrier_code, &i.tracking_number))
                    .collect();
                Ok(change_outcomes(&refs, result, false))
            },
            |_| {},
        )
        .await
    }

    /// Deletes up to one batch of trackings in one call (`POST /trackings/delete`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"delete":1,"trackings":[{"meta":{"tracking_number":"RN1"}}]}}"#);
    /// use tm_core::types::v2::TrackingRef;
    /// let result = client.trackings().delete_batch(&[TrackingRef::new("dhl", "RN1")]).await?;
    /// # assert!(result.delete.is_value());
    /// # Ok(()) }
    /// ```
    pub async fn delete_batch(&self, items: &[TrackingRef]) -> Result<BatchResult> {
        check_batch_len(items.len(), self.client.config().batch_size)?;
        let op = Operation::V2TrackingsDeleteBatch;
        let req = self.client.json_request(op, items)?;
        self.client.execute(op, req).await
    }

    /// Deletes any number of trackings, one [`ItemOutcome`](crate::ItemOutcome) per item. On a resent chunk a 4017
    /// counts as deleted (the first attempt removed it).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"delete":1,"trackings":[{"meta":{"tracking_number":"RN1","carrier_code":"dhl"}}]}}"#);
    /// use tm_core::types::v2::TrackingRef;
    /// let report = client.trackings().delete_many([TrackingRef::new("dhl", "RN1")]).await;
    /// assert_eq!(report.counts().applied, 1);
    /// # Ok(()) }
    /// ```
    pub async fn delete_many(&self, items: impl IntoIterator<Item = TrackingRef>) -> BatchReport {
        self.change_many(
            Operation::V2TrackingsDeleteBatch,
            items.into_iter().collect(),
        )
        .await
    }

    /// Stops automatic updates of up to one batch of trackings (`POST /trackings/notupdate`).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"change":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// use tm_core::types::v2::TrackingRef;
    /// let result = client.trackings().stop_updating_batch(&[TrackingRef::new("dhl", "RN1")]).await?;
    /// # assert!(result.change.is_value());
    /// # Ok(()) }
    /// ```
    pub async fn stop_updating_batch(&self, items: &[TrackingRef]) -> Result<BatchResult> {
        check_batch_len(items.len(), self.client.config().batch_size)?;
        let op = Operation::V2TrackingsStopUpdatingBatch;
        let req = self.client.json_request(op, items)?;
        self.client.execute(op, req).await
    }

    /// Stops automatic updates of any number of trackings, one [`ItemOutcome`](crate::ItemOutcome) per item.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")] async fn main() -> tm_core::Result<()> {
    /// # let client = tm_core::doc_client(r#"{"meta":{"code":200},"data":{"submitted":1,"change":1,"trackings":[{"tracking_number":"RN1","carrier_code":"dhl"}]}}"#);
    /// use tm_core::types::v2::TrackingRef;
    /// let report = client.trackings().stop_updating_many([TrackingRef::new("dhl", "RN1")]).await;
    /// assert!(report.is_complete());
    /// # Ok(()) }
    /// ```
    pub async fn stop_updating_many(
        &self,
        items: impl IntoIterator<Item = TrackingRef>,
    ) -> BatchReport {
        self.change_many(
            Operation::V2TrackingsStopUpdatingBatch,
            items.into_iter().collect(),
        )
        .await
    }

    async fn change_many(&self, op: Operation, items: Vec<TrackingRef>) -> BatchReport {
        run_chunks(
            self.client.config().batch_size,
            items,
            Clone::clone,
            check_ref,
            |chunk| async move {
                let req = self.client.json_request(op, &chunk)?;
                let resp = self.client.send(op, req).await?;
                let result: BatchResult = decode(op, &resp)?;
                Ok(change_outcomes(&chunk, result, gone_means_done(op, &resp)))
            },
            |_| {},
        )
        .await
    }
}
