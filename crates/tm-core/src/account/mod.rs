//! One account, either generation: the layer a shop's backend (and `tm`) is written against.
//!
//! An [`Account`] holds a v2 or a v4 client and speaks in terms both generations share: a
//! [`Shipment`] (one shape, the generation's own tracking kept in [`Tracked`]), a
//! [`ShipmentRef`] (carrier and number, or v4's id), a [`Filter`], a [`NewShipment`] and an
//! [`Update`]; [`Account::changes`] finds what moved since a [`Cursor`]; and
//! [`Account::import`] creates any number of shipments resumably through a [`Journal`]. What
//! one generation cannot do is a [`Capability`] it lacks: asking for it is an
//! [`Error::Unsupported`], before anything is sent.
//!
//! The generation-specific clients stay available ([`Account::v2`], [`Account::v4`]) for what
//! only one of them has.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> tm_core::Result<()> {
//! use tm_core::account::{Account, Filter, ShipmentRef};
//! # let v2 = tm_core::doc_client(r#"{"meta":{"code":200,"type":"Success","message":"Success"},"data":{"tracking_number":"1Z9","carrier_code":"ups","status":"transit"}}"#);
//! # let v4 = tm_core::doc_client_v4(r#"{"meta":{"code":200,"message":"Request response is successful"},"data":[{"tracking_number":"1Z9","courier_code":"ups","delivery_status":"transit"}]}"#);
//! // The same code, whichever generation the account speaks.
//! for account in [Account::from(v2), Account::from(v4)] {
//!     let s = account.find(&ShipmentRef::number("ups", "1Z9")).await?;
//!     assert_eq!((s.key(), s.status.as_str()), ("ups:1Z9".to_owned(), "transit"));
//! }
//! # Ok(()) }
//! ```

mod changes;
mod import;
mod request;
mod shipment;

use std::collections::BTreeMap;

use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use serde::Serialize;
use tm_types::{v2, v4};

pub use changes::{Change, Cursor};
pub use import::{
    ImportError, ImportRun, Journal, JournalEntry, JournalError, MemoryJournal, Outcome, Settled,
};
pub use request::{Filter, Mark, NewShipment, Update};
pub use shipment::{Checkpoint, Shipment, ShipmentRef, Tracked};

use crate::{Api, Error, ItemOutcome, Result};

/// What one generation can do and the other cannot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Capability {
    /// Forcing a status (delivered, exception, back to the carrier's): v2.
    ForcedStatus,
    /// Restarting an expired tracking: v4 (v2 creates it again).
    Retrack,
    /// Asking the carrier now without creating a tracking: v2 (v4's create is real-time).
    Realtime,
    /// The account's e-mail and quota: v2.
    AccountInfo,
    /// Addressing a tracking by its 32-hex id: v4.
    ById,
    /// A note on an existing tracking: v4 (v2's comment is set at creation).
    Note,
    /// Filtering a listing by order ids: v2.
    OrderFilter,
    /// Checkpoints or carrier names in another language on request: v2.
    Language,
}

impl Capability {
    /// What it is, in a sentence's words.
    pub fn describe(self) -> &'static str {
        match self {
            Capability::ForcedStatus => "forced status (the carrier's events decide)",
            Capability::Retrack => "retrack (an expired tracking is created again)",
            Capability::Realtime => {
                "separate real-time call (its create is the real-time call and returns the results)"
            }
            Capability::AccountInfo => "account call (e-mail and quota)",
            Capability::ById => "tracking ids (address a tracking by carrier and number)",
            Capability::Note => "note on an existing tracking (its comment is set at creation)",
            Capability::OrderFilter => "order-id filter",
            Capability::Language => "language option",
        }
    }
}

impl std::fmt::Display for Capability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.describe())
    }
}

/// A carrier (v4: courier), in one shape.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Carrier {
    /// Its code.
    pub code: String,
    /// Its name.
    pub name: Option<String>,
    /// Its kind (express, postal, …), as the API says it.
    pub kind: Option<String>,
    /// Its phone.
    pub phone: Option<String>,
    /// Its web site.
    pub homepage: Option<String>,
    /// The fields a create needs for this carrier (v4 says; v2 does not).
    pub requires: Vec<String>,
    /// The generation's own record, as JSON under the API's names.
    #[serde(skip)]
    pub raw: serde_json::Value,
}

impl From<&v2::Carrier> for Carrier {
    fn from(c: &v2::Carrier) -> Self {
        Carrier {
            code: c.code.clone(),
            name: c.name.value().cloned(),
            kind: c.r#type.value().map(ToString::to_string),
            phone: c.phone.value().cloned(),
            homepage: c.homepage.value().cloned(),
            requires: Vec::new(),
            raw: serde_json::to_value(c).unwrap_or_default(),
        }
    }
}

impl From<&v4::Courier> for Carrier {
    fn from(c: &v4::Courier) -> Self {
        Carrier {
            code: c.courier_code.value().cloned().unwrap_or_default(),
            name: c.courier_name.value().cloned(),
            kind: c.courier_type.value().cloned(),
            phone: c.courier_phone.value().cloned(),
            homepage: c.courier_url.value().cloned(),
            requires: c.required_fields(),
            raw: serde_json::to_value(c).unwrap_or_default(),
        }
    }
}

/// The result of [`Account::create`].
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Created {
    /// Created; the shipment as the API returned it (v2 returns a short record; v4 the full
    /// results: it is the real-time call).
    New(Shipment),
    /// It was already tracked; the shipment, where the API sends it.
    AlreadyExists(Option<Shipment>),
}

/// What [`Account::update`] changed.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Updated {
    /// The shipment after, where the API returns it (v2 does; v4 returns a summary).
    pub shipment: Option<Shipment>,
    /// The API's own answer, as JSON under its field names.
    pub answer: serde_json::Value,
}

/// Trackings per status.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct StatusCounts {
    /// Count per status: every documented status in the API's order (0 included), then any
    /// other seen.
    pub counts: Vec<(String, u64)>,
    /// All of them.
    pub total: u64,
    /// Listed items that could not be read (v4 counts from the listing).
    pub unread: u64,
}

/// The page size an account lists with: the most either generation documents per page.
const PAGE: u32 = 2000;

/// One account of either generation.
#[derive(Debug, Clone)]
pub struct Account {
    client: Client,
}

#[derive(Debug, Clone)]
enum Client {
    V2(crate::v2::Client),
    V4(crate::v4::Client),
}

impl From<crate::v2::Client> for Account {
    fn from(c: crate::v2::Client) -> Self {
        Account {
            client: Client::V2(c),
        }
    }
}

impl From<crate::v4::Client> for Account {
    fn from(c: crate::v4::Client) -> Self {
        Account {
            client: Client::V4(c),
        }
    }
}

impl Account {
    /// The generation it speaks.
    pub fn api(&self) -> Api {
        match self.client {
            Client::V2(_) => Api::V2,
            Client::V4(_) => Api::V4,
        }
    }

    /// `v2` or `v4`.
    pub fn generation(&self) -> &'static str {
        match self.client {
            Client::V2(_) => "v2",
            Client::V4(_) => "v4",
        }
    }

    /// The v2 client, when the account speaks v2.
    pub fn v2(&self) -> Option<&crate::v2::Client> {
        match &self.client {
            Client::V2(c) => Some(c),
            Client::V4(_) => None,
        }
    }

    /// The v4 client, when the account speaks v4.
    pub fn v4(&self) -> Option<&crate::v4::Client> {
        match &self.client {
            Client::V4(c) => Some(c),
            Client::V2(_) => None,
        }
    }

    /// The client's settings (base URL, batch size, limits).
    pub fn config(&self) -> &crate::Config {
        match &self.client {
            Client::V2(c) => c.config(),
            Client::V4(c) => c.config(),
        }
    }

    /// Whether this generation can do `capability`.
    ///
    /// ```
    /// use tm_core::account::{Account, Capability};
    /// let v4 = Account::from(tm_core::doc_client_v4("{}"));
    /// assert!(v4.supports(Capability::Retrack) && !v4.supports(Capability::ForcedStatus));
    /// ```
    pub fn supports(&self, capability: Capability) -> bool {
        use Capability::*;
        match self.client {
            Client::V2(_) => matches!(
                capability,
                ForcedStatus | Realtime | AccountInfo | OrderFilter | Language
            ),
            Client::V4(_) => matches!(capability, Retrack | ById | Note),
        }
    }

    /// `Ok` when this generation can do `capability`; [`Error::Unsupported`] otherwise.
    pub fn require(&self, capability: Capability) -> Result<()> {
        if self.supports(capability) {
            Ok(())
        } else {
            Err(Error::Unsupported {
                api: self.api(),
                capability,
            })
        }
    }

    /// The documented main statuses, in the API's order (v2's 8, v4's 9).
    pub fn statuses(&self) -> Vec<String> {
        match self.client {
            Client::V2(_) => v2::TrackingStatus::KNOWN
                .iter()
                .map(ToString::to_string)
                .collect(),
            // `created` was seen once in a real object but is not documented.
            Client::V4(_) => v4::DeliveryStatus::KNOWN
                .iter()
                .filter(|s| **s != v4::DeliveryStatus::Created)
                .map(ToString::to_string)
                .collect(),
        }
    }

    /// Every carrier (names in `lang` where v2 has it: [`Capability::Language`]).
    pub async fn carriers(&self, lang: Option<&str>) -> Result<Vec<Carrier>> {
        if lang.is_some() {
            self.require(Capability::Language)?;
        }
        Ok(match &self.client {
            Client::V2(c) => {
                let list = match lang {
                    Some(l) => c.carriers().list_in_language(l).await?,
                    None => c.carriers().list().await?,
                };
                list.iter().map(Carrier::from).collect()
            }
            Client::V4(c) => c
                .couriers()
                .list()
                .await?
                .iter()
                .map(Carrier::from)
                .collect(),
        })
    }

    /// The carriers `number` may belong to, likeliest first.
    pub async fn detect(&self, number: &str) -> Result<Vec<Carrier>> {
        Ok(match &self.client {
            Client::V2(c) => c
                .carriers()
                .detect(number)
                .await?
                .into_iter()
                .map(|d| Carrier {
                    code: d.code.clone(),
                    name: d.name.value().cloned(),
                    kind: None,
                    phone: None,
                    homepage: None,
                    requires: Vec::new(),
                    raw: serde_json::to_value(&d).unwrap_or_default(),
                })
                .collect(),
            Client::V4(c) => c
                .couriers()
                .detect(number)
                .await?
                .iter()
                .map(Carrier::from)
                .collect(),
        })
    }

    /// Creates one shipment.
    pub async fn create(&self, new: &NewShipment) -> Result<Created> {
        Ok(match &self.client {
            Client::V2(c) => match c.trackings().create(new.to_v2()).await? {
                crate::v2::CreateOutcome::Created(t) => Created::New(Shipment::from(*t)),
                crate::v2::CreateOutcome::AlreadyExists => Created::AlreadyExists(None),
            },
            Client::V4(c) => match c.trackings().create(new.to_v4()).await? {
                crate::v4::CreateOutcome::Created(t) => Created::New(Shipment::from(*t)),
                crate::v4::CreateOutcome::AlreadyExists(t) => {
                    Created::AlreadyExists(t.map(|t| Shipment::from(*t)))
                }
            },
        })
    }

    /// Creates `items` in batches (the generation's size); one outcome per item, in order.
    pub async fn create_many(&self, items: Vec<NewShipment>) -> Vec<Settled> {
        fn settle<C>(report: crate::BatchReport<C>) -> Vec<Settled> {
            report
                .items
                .into_iter()
                .map(|i| Settled::from(i.outcome))
                .collect()
        }
        match &self.client {
            Client::V2(c) => settle(
                c.trackings()
                    .create_many(items.iter().map(NewShipment::to_v2))
                    .await,
            ),
            Client::V4(c) => settle(
                c.trackings()
                    .create_many(items.iter().map(NewShipment::to_v4))
                    .await,
            ),
        }
    }

    /// One shipment with its checkpoints (`lang`: in that language, v2).
    pub async fn find(&self, r: &ShipmentRef) -> Result<Shipment> {
        self.find_in(r, None).await
    }

    /// [`Account::find`] with checkpoints in `lang`, where the generation has it.
    pub async fn find_in(&self, r: &ShipmentRef, lang: Option<&str>) -> Result<Shipment> {
        match (&self.client, r) {
            (Client::V2(c), ShipmentRef::Number { carrier, number }) => {
                let t = match lang {
                    Some(l) => c.trackings().get_in_language(carrier, number, l).await?,
                    None => c.trackings().get(carrier, number).await?,
                };
                Ok(Shipment::from(t))
            }
            (Client::V2(_), ShipmentRef::Id(_)) => Err(self.unsupported(Capability::ById)),
            (Client::V4(c), ShipmentRef::Number { carrier, number }) => {
                let mut filter = v4::GetTrackingsRequest::default()
                    .tracking_numbers([number.as_str()])
                    .courier_code(crate::bridge::courier_code(carrier));
                filter.lang = lang.map(str::to_owned);
                let page = c.trackings().get(&filter).await?;
                page.items
                    .into_iter()
                    .next()
                    .map(Shipment::from)
                    .ok_or_else(|| not_tracked(r))
            }
            (Client::V4(c), ShipmentRef::Id(id)) => {
                // v4 has no read by id: the listing is searched for it.
                let mut filter = v4::GetTrackingsRequest::default().items_amount(200);
                filter.lang = lang.map(str::to_owned);
                let mut stream = std::pin::pin!(c.trackings().get_all(filter));
                while let Some(t) = stream.next().await {
                    let Ok(t) = t else { continue };
                    if t.id.as_deref().is_some_and(|i| i.eq_ignore_ascii_case(id)) {
                        return Ok(Shipment::from(t));
                    }
                }
                Err(not_tracked(r))
            }
        }
    }

    fn unsupported(&self, capability: Capability) -> Error {
        Error::Unsupported {
            api: self.api(),
            capability,
        }
    }

    /// The shipments with this number, on any carrier.
    pub async fn search(&self, number: &str) -> Result<Vec<Shipment>> {
        let number = number.trim();
        Ok(match &self.client {
            Client::V2(c) => {
                let req = v2::ListTrackingsRequest {
                    numbers: vec![number.to_owned()],
                    ..Default::default()
                };
                let page = c.trackings().list(&req).await?;
                page.items().iter().cloned().map(Shipment::from).collect()
            }
            Client::V4(c) => {
                let req = v4::GetTrackingsRequest::default().tracking_numbers([number]);
                let page = c.trackings().get(&req).await?;
                page.items.into_iter().map(Shipment::from).collect()
            }
        })
    }

    /// One page of the shipments `filter` names (`page` from 1, up to `size` per page), and
    /// the items of it that could not be read.
    pub async fn page(
        &self,
        filter: &Filter,
        page: u32,
        size: u32,
    ) -> Result<(Vec<Shipment>, Vec<crate::UndecodedItem>)> {
        let keep = |s: &Shipment| filter.admits(s);
        Ok(match &self.client {
            Client::V2(c) => {
                let mut req = filter.to_v2()?;
                req.page = Some(page);
                req.limit = Some(size);
                let p = c.trackings().list(&req).await?;
                let items = p.items().iter().cloned().map(Shipment::from);
                (items.filter(keep).collect(), p.undecoded)
            }
            Client::V4(c) => {
                let mut req = filter.to_v4()?;
                req.pages_amount = Some(page);
                req.items_amount = Some(size);
                let p = c.trackings().get(&req).await?;
                let items = p.items.into_iter().map(Shipment::from);
                (items.filter(keep).collect(), p.undecoded)
            }
        })
    }

    /// Every shipment `filter` names, page by page (the server applies what it can), in
    /// flat memory. An item that does not read is an [`Error::Undecoded`] in the stream; the
    /// stream goes on after it.
    pub fn shipments(&self, filter: &Filter) -> Result<BoxStream<'static, Result<Shipment>>> {
        let stream = match &self.client {
            Client::V2(c) => {
                let mut req = filter.to_v2()?;
                req.limit = Some(PAGE);
                c.trackings().list_all(req).map_ok(Shipment::from).boxed()
            }
            Client::V4(c) => {
                let req = filter.to_v4()?.items_amount(PAGE);
                c.trackings().get_all(req).map_ok(Shipment::from).boxed()
            }
        };
        let keep = filter.clone();
        Ok(stream
            .try_filter(move |s| std::future::ready(keep.admits(s)))
            .boxed())
    }

    /// Every shipment updated since `since` (Unix seconds, server time), with a second of
    /// overlap: an update in the same second as the last one seen is not missed (a
    /// [`Cursor`] drops the repeats).
    pub fn updated_since(
        &self,
        since: Option<i64>,
    ) -> Result<BoxStream<'static, Result<Shipment>>> {
        self.shipments(&Filter {
            updated_since: since.map(|s| s - 1),
            ..Filter::default()
        })
    }

    /// The status changes since `cursor`, moving it: every shipment updated since, those
    /// whose status differs from the last one the cursor saw. One poll; call again for the
    /// next. `tm watch` and the dashboard's live feed are this, on a timer.
    pub fn changes<'a>(
        &self,
        cursor: &'a mut Cursor,
    ) -> Result<impl futures::Stream<Item = Result<Change>> + Send + 'a> {
        let stream = self.updated_since(cursor.since())?;
        Ok(stream.filter_map(move |item| {
            std::future::ready(match item {
                Ok(s) => cursor.observe(&s).map(Ok),
                Err(e) => Some(Err(e)),
            })
        }))
    }

    /// Changes `r`'s fields, archive state or carrier (and, v2, forces a status).
    pub async fn update(&self, r: &ShipmentRef, changes: &Update) -> Result<Updated> {
        if changes.is_empty() {
            return Err(Error::InvalidInput {
                field: "changes",
                reason: "nothing to change".into(),
            });
        }
        for need in changes.needs() {
            self.require(need)?;
        }
        match &self.client {
            Client::V2(c) => {
                let ShipmentRef::Number { carrier, number } = r else {
                    return Err(self.unsupported(Capability::ById));
                };
                let fields = changes.to_v2();
                let mut updated = Updated {
                    shipment: None,
                    answer: serde_json::json!({"tracking_number": number, "carrier_code": carrier}),
                };
                if !fields.is_empty()
                    && let Some(t) = c.trackings().update(carrier, number, fields).await?
                {
                    updated.answer = serde_json::to_value(&t).unwrap_or_default();
                    updated.shipment = Some(Shipment::from(t));
                }
                if let Some(to) = &changes.carrier {
                    let moved = c
                        .trackings()
                        .change_carrier(v2::ChangeCarrierRequest::new(number, carrier, to))
                        .await?;
                    updated.shipment = None;
                    updated.answer = serde_json::json!({
                        "tracking_number": number, "carrier_code": to,
                        "previous_carrier_code": carrier, "answer": moved,
                    });
                }
                Ok(updated)
            }
            Client::V4(c) => {
                let id = self.id_of(r).await?;
                let answer = c.trackings().update(&id, changes.to_v4()).await?;
                Ok(Updated {
                    shipment: None,
                    answer: serde_json::to_value(answer).unwrap_or_default(),
                })
            }
        }
    }

    /// The v4 id of `r`.
    async fn id_of(&self, r: &ShipmentRef) -> Result<String> {
        match r {
            ShipmentRef::Id(id) => Ok(id.clone()),
            ShipmentRef::Number { .. } => {
                self.find(r).await?.id.ok_or_else(|| Error::InvalidInput {
                    field: "tracking",
                    reason: format!("the API returned {r} without its id"),
                })
            }
        }
    }

    /// Deletes `r`.
    pub async fn delete(&self, r: &ShipmentRef) -> Result<()> {
        match &self.client {
            Client::V2(c) => match r {
                ShipmentRef::Number { carrier, number } => {
                    c.trackings().delete(carrier, number).await
                }
                ShipmentRef::Id(_) => Err(self.unsupported(Capability::ById)),
            },
            Client::V4(c) => {
                let id = self.id_of(r).await?;
                c.trackings().delete(&id).await.map(drop)
            }
        }
    }

    /// Restarts an expired tracking ([`Capability::Retrack`]); the shipment, moving again.
    pub async fn retrack(&self, r: &ShipmentRef) -> Result<Shipment> {
        self.require(Capability::Retrack)?;
        let Client::V4(c) = &self.client else {
            return Err(self.unsupported(Capability::Retrack));
        };
        let id = self.id_of(r).await?;
        Ok(Shipment::from(c.trackings().retrack(&id).await?))
    }

    /// Asks the carrier now, without creating a tracking ([`Capability::Realtime`]).
    pub async fn realtime(&self, new: &NewShipment) -> Result<Shipment> {
        let Client::V2(c) = &self.client else {
            return Err(self.unsupported(Capability::Realtime));
        };
        let mut req = v2::RealtimeRequest::new(&new.carrier, &new.number);
        req.destination_code = new.destination.clone();
        Ok(Shipment::from(c.trackings().realtime(req).await?))
    }

    /// The account's own record (e-mail, quota…) as the API names it
    /// ([`Capability::AccountInfo`]).
    pub async fn info(&self) -> Result<serde_json::Value> {
        let Client::V2(c) = &self.client else {
            return Err(self.unsupported(Capability::AccountInfo));
        };
        let info = c.account().user_info().await?;
        Ok(serde_json::to_value(info).unwrap_or_default())
    }

    /// One air waybill (air cargo), as the generation's API returns it.
    pub async fn air_waybill(&self, number: &str) -> Result<serde_json::Value> {
        Ok(match &self.client {
            Client::V2(c) => serde_json::to_value(c.trackings().air_cargo(number).await?),
            Client::V4(c) => serde_json::to_value(c.air_waybills().get(number).await?),
        }
        .unwrap_or_default())
    }

    /// Trackings per status among those created in the window: v2 asks its counts endpoint;
    /// v4, which has none, counts the listing.
    pub async fn status_counts(
        &self,
        created_since: Option<i64>,
        created_until: Option<i64>,
    ) -> Result<StatusCounts> {
        let mut counts: BTreeMap<String, u64> = BTreeMap::new();
        let mut out = StatusCounts::default();
        match &self.client {
            Client::V2(c) => {
                let filter = v2::StatusCountRequest {
                    created_at_min: created_since,
                    created_at_max: created_until,
                    ..Default::default()
                };
                let answer = c.account().status_counts(&filter).await?;
                for s in v2::TrackingStatus::KNOWN {
                    counts.insert(s.to_string(), answer.count(s).unwrap_or(0));
                }
                out.total = answer.total();
            }
            Client::V4(_) => {
                let filter = Filter {
                    created_since,
                    created_until,
                    ..Filter::default()
                };
                let mut stream = self.shipments(&filter)?;
                while let Some(item) = stream.next().await {
                    match item {
                        Ok(s) => {
                            *counts.entry(s.status).or_default() += 1;
                            out.total += 1;
                        }
                        Err(Error::Undecoded(_)) => out.unread += 1,
                        Err(e) => return Err(e),
                    }
                }
            }
        }
        // The documented statuses first, in the API's order, then any other seen.
        for s in self.statuses() {
            let n = counts.remove(&s).unwrap_or(0);
            out.counts.push((s, n));
        }
        out.counts.extend(counts);
        Ok(out)
    }
}

/// "Not tracked" as the API would say it: a not-found error naming the shipment.
fn not_tracked(r: &ShipmentRef) -> Error {
    Error::NotTracked(r.to_string())
}

impl<C> From<ItemOutcome<C>> for Settled {
    fn from(o: ItemOutcome<C>) -> Self {
        Settled::from_outcome(o)
    }
}
