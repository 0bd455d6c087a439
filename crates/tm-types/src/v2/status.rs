//! Delivery statuses, substatuses and the numeric status inputs of `PUT`.

wire_enum! {
    /// A tracking's main delivery status (`status`, `checkpoint_status`, the `status` list filter
    /// and the status-count keys).
    ///
    /// ```
    /// use tm_types::v2::TrackingStatus;
    /// let s: TrackingStatus = "delivered".parse().unwrap();
    /// assert_eq!(s, TrackingStatus::Delivered);
    /// let new: TrackingStatus = "inforeceived".parse().unwrap();
    /// assert_eq!(new, TrackingStatus::Unknown("inforeceived".into()));
    /// assert_eq!(new.as_str(), "inforeceived");
    /// ```
    pub enum TrackingStatus {
        /// New tracking, not yet fetched from the carrier.
        Pending = "pending",
        /// The carrier has no information (yet).
        NotFound = "notfound",
        /// On the way.
        Transit = "transit",
        /// Out for delivery, or ready for pickup.
        Pickup = "pickup",
        /// Delivered.
        Delivered = "delivered",
        /// A delivery attempt failed.
        Undelivered = "undelivered",
        /// Held, returned, lost, damaged or refused.
        Exception = "exception",
        /// No update for too long (express 30 days, postal 60 days).
        Expired = "expired",
    }
}

impl TrackingStatus {
    /// True for statuses after which a shipment normally stops changing.
    pub fn is_terminal(&self) -> bool {
        matches!(self, TrackingStatus::Delivered | TrackingStatus::Expired)
    }
}

wire_enum! {
    /// A substatus code such as `transit004`.
    ///
    /// The codes documented on the v2 status page have variants; any other code (`pickup001`
    /// and `transit007` were seen in real data) is kept in `Unknown` and still knows its main
    /// status through [`Substatus::status`].
    ///
    /// ```
    /// use tm_types::v2::{Substatus, TrackingStatus};
    /// let s: Substatus = "transit004".parse().unwrap();
    /// assert_eq!(s, Substatus::Transit004);
    /// assert_eq!(s.description(), Some("Arrived in the destination country"));
    /// let seen: Substatus = "pickup001".parse().unwrap();
    /// assert_eq!(seen.status(), Some(TrackingStatus::Pickup));
    /// ```
    pub enum Substatus {
        /// Information received, awaiting pickup by the carrier.
        Notfound001 = "notfound001",
        /// No information at all.
        Notfound002 = "notfound002",
        /// On the way.
        Transit001 = "transit001",
        /// Arrived at a hub or sorting centre.
        Transit002 = "transit002",
        /// Arrived at the delivery facility.
        Transit003 = "transit003",
        /// Arrived in the destination country.
        Transit004 = "transit004",
        /// Customs cleared.
        Transit005 = "transit005",
        /// Delivered.
        Delivered001 = "delivered001",
        /// Picked up by the customer.
        Delivered002 = "delivered002",
        /// Signed for by the customer.
        Delivered003 = "delivered003",
        /// Left at the door or with a neighbour.
        Delivered004 = "delivered004",
        /// No information for too long (older documentation).
        Exception001 = "exception001",
        /// In transit for too long (older documentation).
        Exception002 = "exception002",
        /// Not delivered for too long (older documentation).
        Exception003 = "exception003",
        /// Unclaimed.
        Exception004 = "exception004",
        /// Other delivery exception.
        Exception005 = "exception005",
        /// Held by customs.
        Exception006 = "exception006",
        /// Damaged, lost or destroyed.
        Exception007 = "exception007",
        /// Cancelled before pickup.
        Exception008 = "exception008",
        /// Refused by the recipient.
        Exception009 = "exception009",
        /// Returned to the sender.
        Exception010 = "exception010",
        /// Returning to the sender.
        Exception011 = "exception011",
    }
}

impl Substatus {
    /// The documented meaning of a known code.
    pub fn description(&self) -> Option<&'static str> {
        Some(match self {
            Substatus::Notfound001 => "Information received, awaiting pickup",
            Substatus::Notfound002 => "No information",
            Substatus::Transit001 => "On the way",
            Substatus::Transit002 => "Arrived at a hub or sorting centre",
            Substatus::Transit003 => "Arrived at the delivery facility",
            Substatus::Transit004 => "Arrived in the destination country",
            Substatus::Transit005 => "Customs cleared",
            Substatus::Delivered001 => "Delivered",
            Substatus::Delivered002 => "Picked up by the customer",
            Substatus::Delivered003 => "Signed for by the customer",
            Substatus::Delivered004 => "Left at the door or with a neighbour",
            Substatus::Exception001 => "No information for too long",
            Substatus::Exception002 => "In transit for too long",
            Substatus::Exception003 => "Not delivered for too long",
            Substatus::Exception004 => "Unclaimed",
            Substatus::Exception005 => "Other delivery exception",
            Substatus::Exception006 => "Held by customs",
            Substatus::Exception007 => "Damaged, lost or destroyed",
            Substatus::Exception008 => "Cancelled before pickup",
            Substatus::Exception009 => "Refused by the recipient",
            Substatus::Exception010 => "Returned to the sender",
            Substatus::Exception011 => "Returning to the sender",
            Substatus::Unknown(_) => return None,
        })
    }

    /// The main status a code belongs to: the known status its letters start with
    /// (`transit007` → transit), for unknown codes too.
    pub fn status(&self) -> Option<TrackingStatus> {
        let code = self.as_str();
        let prefix = code.trim_end_matches(|c: char| c.is_ascii_digit());
        TrackingStatus::known(prefix)
    }
}

wire_enum! {
    /// The `status` a `PUT` or `updatemore` may set: only 4, 7 and 8 are allowed, sent as
    /// strings (`"4"`).
    pub enum StatusInput {
        /// 4: mark the tracking delivered.
        MarkDelivered = "4",
        /// 7: mark the tracking as an exception.
        MarkException = "7",
        /// 8: revert to the status the carrier reports.
        Revert = "8",
    }
}

wire_enum! {
    /// A carrier's `type`.
    pub enum CarrierType {
        /// Express courier.
        Express = "express",
        /// National postal service.
        GlobalPost = "globalpost",
        /// Postal (seen in later material).
        Postal = "postal",
    }
}
