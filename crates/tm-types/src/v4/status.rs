//! v4's nine main statuses, its sub-statuses and the archive state.

wire_enum! {
    /// A tracking's main status (`delivery_status`, `checkpoint_delivery_status`,
    /// `awb_status`). Nine documented values; `created` was seen once in a real object; any
    /// other is kept in `Unknown`. Values compare case-insensitively (`InfoReceived` is
    /// `inforeceived`).
    ///
    /// ```
    /// use tm_types::v4::DeliveryStatus;
    /// assert_eq!("InfoReceived".parse::<DeliveryStatus>().unwrap(), DeliveryStatus::InfoReceived);
    /// assert_eq!(DeliveryStatus::InfoReceived.as_str(), "inforeceived");
    /// ```
    pub enum DeliveryStatus {
        /// New; the courier has not answered yet.
        Pending = "pending",
        /// No tracking information currently.
        NotFound = "notfound",
        /// The courier has the shipment data and is about to pick it up (new in v3/v4).
        InfoReceived = "inforeceived",
        /// In transit.
        Transit = "transit",
        /// Out for delivery, or ready for collection.
        Pickup = "pickup",
        /// A delivery attempt failed.
        Undelivered = "undelivered",
        /// Delivered.
        Delivered = "delivered",
        /// Returned, damaged, lost, held by customs, …
        Exception = "exception",
        /// No update for 30 days before delivery.
        Expired = "expired",
        /// Seen right after creation in one real object (not in the documentation).
        Created = "created",
    }
}

impl DeliveryStatus {
    /// True for statuses after which a shipment normally stops changing.
    pub fn is_terminal(&self) -> bool {
        matches!(self, DeliveryStatus::Delivered | DeliveryStatus::Expired)
    }
}

wire_enum! {
    /// A sub-status (`substatus`, `checkpoint_delivery_substatus`, `awb_substatus`). The code's
    /// prefix is its main status ([`Substatus::status`]); codes this version does not know are
    /// kept and still know their main status.
    ///
    /// ```
    /// use tm_types::v4::{DeliveryStatus, Substatus};
    /// assert_eq!(Substatus::Exception010.status(), Some(DeliveryStatus::Exception));
    /// assert!(Substatus::Exception010.is_sticky());
    /// let new: Substatus = "transit009".parse().unwrap();
    /// assert_eq!(new.status(), Some(DeliveryStatus::Transit));
    /// assert_eq!(Substatus::NotFound001.status(), Some(DeliveryStatus::NotFound));
    /// ```
    pub enum Substatus {
        /// Waiting for the courier to pick up.
        InfoReceived001 = "inforeceived001",
        /// On the way to the destination.
        Transit001 = "transit001",
        /// Arrived at a hub or sorting centre.
        Transit002 = "transit002",
        /// Arrived at the delivery facility.
        Transit003 = "transit003",
        /// Arrived in the destination country.
        Transit004 = "transit004",
        /// Customs clearance completed.
        Transit005 = "transit005",
        /// Item dispatched.
        Transit006 = "transit006",
        /// Departed from the airport.
        Transit007 = "transit007",
        /// Out for delivery.
        Pickup001 = "pickup001",
        /// Ready for collection.
        Pickup002 = "pickup002",
        /// The recipient was contacted before the final delivery.
        Pickup003 = "pickup003",
        /// Delivered.
        Delivered001 = "delivered001",
        /// Picked up by the addressee.
        Delivered002 = "delivered002",
        /// Received and signed for by the addressee.
        Delivered003 = "delivered003",
        /// Left at the front door or with a neighbour.
        Delivered004 = "delivered004",
        /// An address-related issue.
        Undelivered001 = "undelivered001",
        /// The receiver was not home.
        Undelivered002 = "undelivered002",
        /// The addressee could not be located or contacted.
        Undelivered003 = "undelivered003",
        /// Other reasons.
        Undelivered004 = "undelivered004",
        /// Unclaimed.
        Exception004 = "exception004",
        /// Other exception.
        Exception005 = "exception005",
        /// Detained by customs.
        Exception006 = "exception006",
        /// Lost or damaged.
        Exception007 = "exception007",
        /// Cancelled before the courier picked it up.
        Exception008 = "exception008",
        /// Refused by the addressee.
        Exception009 = "exception009",
        /// Returned to the sender (completed); sticky.
        Exception010 = "exception010",
        /// Being returned to the sender; sticky.
        Exception011 = "exception011",
        /// No tracking information found (legacy).
        NotFound002 = "notfound002",
        /// Waiting for pickup (the v2/v3 meaning, superseded by `inforeceived001`).
        NotFound001 = "notfound001",
        /// No information yet (one source).
        Pending001 = "pending001",
        /// No information, and the number looks unlikely for this courier (one source).
        Pending002 = "pending002",
        /// The courier says the number is not theirs (one source).
        Pending003 = "pending003",
        /// Processed or packed but not yet scanned (one source).
        Pending004 = "pending004",
        /// No information for some days (one source).
        Pending005 = "pending005",
        /// No update for 30 days.
        Expired001 = "expired001",
        /// Seen right after creation in one real object.
        Created = "created",
    }
}

impl Substatus {
    /// The main status: the code without its three-digit suffix (`created` is its own).
    pub fn status(&self) -> Option<DeliveryStatus> {
        let code = self.as_str();
        let prefix = code
            .strip_suffix(|c: char| c.is_ascii_digit())
            .and_then(|s| s.strip_suffix(|c: char| c.is_ascii_digit()))
            .and_then(|s| s.strip_suffix(|c: char| c.is_ascii_digit()))
            .unwrap_or(code);
        DeliveryStatus::known_ignoring_case(prefix)
    }

    /// `exception010` and `exception011`: once a shipment has one, its main status stays
    /// `exception` even if a later checkpoint says delivered (support article SUP-EXC).
    pub fn is_sticky(&self) -> bool {
        matches!(self, Substatus::Exception010 | Substatus::Exception011)
    }
}

wire_enum! {
    /// A tracking's `archived` value: a string in v4 (`"tracking"`), not v2's boolean. Also
    /// the `archived_status` filter and update field.
    pub enum ArchivedStatus {
        /// Active.
        Tracking = "tracking",
        /// Archived.
        Archived = "archived",
    }
}
