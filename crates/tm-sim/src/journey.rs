//! Deterministic shipment journeys: the same seed, carrier and number always give the same
//! route, events and ending. Each event says what it is in both generations' vocabularies
//! (v2 has no `inforeceived`, v4 more sub-statuses), so one account's trackings read
//! consistently through either.

/// A country a journey passes through.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Country {
    /// ISO code.
    pub code: &'static str,
    /// English name, as `original_country` / `destination_country` show it.
    pub name: &'static str,
    /// Cities to scan in.
    pub cities: &'static [&'static str],
    /// Hours ahead of UTC, for the naive local checkpoint times.
    pub utc_offset_h: i64,
    /// The postal carrier doing the last mile there.
    pub last_mile: &'static str,
}

/// Countries the simulator ships between.
pub const COUNTRIES: &[Country] = &[
    Country {
        code: "CN",
        name: "China",
        cities: &["Shenzhen", "Shanghai", "Guangzhou", "Yiwu"],
        utc_offset_h: 8,
        last_mile: "china-post",
    },
    Country {
        code: "US",
        name: "United States",
        cities: &["Los Angeles", "Chicago", "New York", "Dallas"],
        utc_offset_h: -6,
        last_mile: "usps",
    },
    Country {
        code: "GB",
        name: "United Kingdom",
        cities: &["London", "Manchester", "Birmingham"],
        utc_offset_h: 0,
        last_mile: "royal-mail",
    },
    Country {
        code: "DE",
        name: "Germany",
        cities: &["Frankfurt", "Leipzig", "Berlin"],
        utc_offset_h: 1,
        last_mile: "deutsche-post",
    },
    Country {
        code: "FR",
        name: "France",
        cities: &["Paris", "Lyon", "Roissy"],
        utc_offset_h: 1,
        last_mile: "laposte",
    },
    Country {
        code: "JP",
        name: "Japan",
        cities: &["Tokyo", "Osaka"],
        utc_offset_h: 9,
        last_mile: "japan-post",
    },
    Country {
        code: "AU",
        name: "Australia",
        cities: &["Sydney", "Melbourne"],
        utc_offset_h: 10,
        last_mile: "australia-post",
    },
    Country {
        code: "CA",
        name: "Canada",
        cities: &["Toronto", "Vancouver"],
        utc_offset_h: -5,
        last_mile: "canada-post",
    },
    Country {
        code: "NL",
        name: "Netherlands",
        cities: &["Amsterdam", "Rotterdam"],
        utc_offset_h: 1,
        last_mile: "postnl-parcels",
    },
    Country {
        code: "IT",
        name: "Italy",
        cities: &["Milan", "Rome"],
        utc_offset_h: 1,
        last_mile: "poste-italiane",
    },
    Country {
        code: "ES",
        name: "Spain",
        cities: &["Madrid", "Barcelona"],
        utc_offset_h: 1,
        last_mile: "correos-spain",
    },
    Country {
        code: "HK",
        name: "Hong Kong",
        cities: &["Hong Kong"],
        utc_offset_h: 8,
        last_mile: "hong-kong-post",
    },
    Country {
        code: "SG",
        name: "Singapore",
        cities: &["Singapore"],
        utc_offset_h: 8,
        last_mile: "singapore-post",
    },
    Country {
        code: "BR",
        name: "Brazil",
        cities: &["Sao Paulo", "Curitiba"],
        utc_offset_h: -3,
        last_mile: "brazil-correios",
    },
];

/// The country with this code (case-insensitive).
pub fn country(code: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.code.eq_ignore_ascii_case(code))
}

/// Which info block an event belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leg {
    /// `origin_info`.
    Origin,
    /// `destination_info`.
    Destination,
}

/// One planned scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// Milliseconds after the tracking's creation.
    pub offset_ms: i64,
    /// Which carrier reports it.
    pub leg: Leg,
    /// `StatusDescription`.
    pub description: &'static str,
    /// `Details` (location).
    pub details: String,
    /// The event's status and sub-status.
    pub code: Code,
    /// `ItemNode`: the milestone this event marks.
    pub node: Option<&'static str>,
    /// Hours ahead of UTC where it happened.
    pub utc_offset_h: i64,
    /// The city it happened in.
    pub city: &'static str,
    /// The ISO code of the country it happened in.
    pub country: &'static str,
}

/// What an event is, in each generation's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Code {
    /// v2 `checkpoint_status`.
    pub v2: &'static str,
    /// v2 `substatus`.
    pub v2_sub: &'static str,
    /// v4 `checkpoint_delivery_status`.
    pub v4: &'static str,
    /// v4 `checkpoint_delivery_substatus`.
    pub v4_sub: &'static str,
}

const fn code(
    v2: &'static str,
    v2_sub: &'static str,
    v4: &'static str,
    v4_sub: &'static str,
) -> Code {
    Code {
        v2,
        v2_sub,
        v4,
        v4_sub,
    }
}

/// Shipment data received, awaiting pickup (v2 has no `inforeceived`).
const INFO_RECEIVED: Code = code("notfound", "notfound001", "inforeceived", "inforeceived001");
const PICKED_UP: Code = code("transit", "transit001", "transit", "transit001");
const DISPATCHED: Code = code("transit", "transit002", "transit", "transit006");
const DEPARTED_AIRPORT: Code = code("transit", "transit001", "transit", "transit007");
const ARRIVED_ABROAD: Code = code("transit", "transit004", "transit", "transit004");
const CUSTOMS_HELD: Code = code("exception", "exception006", "exception", "exception006");
const CUSTOMS_CLEARED: Code = code("transit", "transit005", "transit", "transit005");
const AT_DELIVERY_FACILITY: Code = code("transit", "transit003", "transit", "transit003");
const OUT_FOR_DELIVERY: Code = code("pickup", "pickup001", "pickup", "pickup001");
const READY_FOR_COLLECTION: Code = code("pickup", "pickup002", "pickup", "pickup002");
const DELIVERED: Code = code("delivered", "delivered001", "delivered", "delivered001");
const COLLECTED: Code = code("delivered", "delivered002", "delivered", "delivered002");
const SIGNED: Code = code("delivered", "delivered003", "delivered", "delivered003");
const LEFT_AT_DOOR: Code = code("delivered", "delivered004", "delivered", "delivered004");
const NOBODY_HOME: Code = code(
    "undelivered",
    "undelivered001",
    "undelivered",
    "undelivered002",
);
const REFUSED: Code = code("exception", "exception009", "exception", "exception009");
const RETURNING: Code = code("exception", "exception011", "exception", "exception011");
const RETURNED: Code = code("exception", "exception010", "exception", "exception010");
const UNCLAIMED: Code = code("exception", "exception004", "exception", "exception004");
const DAMAGED: Code = code("exception", "exception007", "exception", "exception007");

/// True for the v4 sub-statuses that keep the main status `exception` whatever comes after
/// (returned, or returning, to the sender; support article SUP-EXC).
pub fn is_sticky_exception(v4_sub: &str) -> bool {
    matches!(v4_sub, "exception010" | "exception011")
}

/// How a journey ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// Delivered.
    Delivered,
    /// A delivery exception.
    Exception,
    /// A failed delivery attempt.
    Undelivered,
    /// Scans stop and the tracking expires.
    Expires,
    /// The carrier never has any information.
    NeverFound,
}

/// A whole journey, fixed at creation.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// Where it starts.
    pub origin: &'static Country,
    /// Where it ends.
    pub destination: &'static Country,
    /// The last-mile carrier, for an international postal item.
    pub last_mile: Option<&'static str>,
    /// How it ends.
    pub ending: Ending,
    /// Every scan, in time order.
    pub events: Vec<Event>,
}

impl Plan {
    /// True when the journey crosses a border.
    pub fn international(&self) -> bool {
        self.origin.code != self.destination.code
    }
}

/// SplitMix64: small, fast, and the same everywhere.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded from `parts`.
    pub fn from_parts(parts: &[&[u8]]) -> Rng {
        // FNV-1a over the parts, separated so ("ab","c") differs from ("a","bc").
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for p in parts {
            for b in p.iter().chain(std::iter::once(&0xff)) {
                h ^= u64::from(*b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        Rng(h)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// Uniform in `lo..=hi`.
    pub fn between(&mut self, lo: i64, hi: i64) -> i64 {
        lo + self.below((hi - lo + 1).max(1) as u64) as i64
    }

    /// One element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

/// A 32-character lower-case hex id, stable for a seed, carrier and number (so it survives a
/// delete and re-create, as the real ids do).
pub fn tracking_id(seed: u64, carrier: &str, number: &str) -> String {
    let mut rng = Rng::from_parts(&[
        &seed.to_le_bytes(),
        b"id",
        carrier.as_bytes(),
        number.to_ascii_uppercase().as_bytes(),
    ]);
    format!("{:016x}{:016x}", rng.next_u64(), rng.next_u64())
}

const HOUR: i64 = 3_600_000;

/// Plans the journey of `number` at `carrier` (`postal` for a national post).
pub fn plan(
    seed: u64,
    carrier: &str,
    postal: bool,
    number: &str,
    destination_code: Option<&str>,
) -> Plan {
    let upper = number.to_ascii_uppercase();
    let mut rng = Rng::from_parts(&[&seed.to_le_bytes(), carrier.as_bytes(), upper.as_bytes()]);
    // A UPU number names its origin country in its last two letters.
    let origin = upper
        .get(upper.len().saturating_sub(2)..)
        .filter(|_| upper.len() == 13)
        .and_then(country)
        .unwrap_or_else(|| rng.pick(COUNTRIES));
    let destination = destination_code.and_then(country).unwrap_or_else(|| {
        if rng.below(3) == 0 {
            origin
        } else {
            rng.pick(COUNTRIES)
        }
    });
    let ending = match rng.below(100) {
        0..=6 => Ending::NeverFound,
        7..=69 => Ending::Delivered,
        70..=79 => Ending::Exception,
        80..=89 => Ending::Undelivered,
        _ => Ending::Expires,
    };
    let international = origin.code != destination.code;
    let last_mile = (international && postal && destination.last_mile != carrier)
        .then_some(destination.last_mile);
    let finish = |events: Vec<Event>| Plan {
        origin,
        destination,
        last_mile,
        ending,
        events,
    };
    if ending == Ending::NeverFound {
        return finish(Vec::new());
    }
    let o_city = *rng.pick(origin.cities);
    let d_city = *rng.pick(destination.cities);
    let mut b = Scans {
        t: rng.between(HOUR / 2, 3 * HOUR),
        rng,
        events: Vec::new(),
    };
    let o = (Leg::Origin, origin, o_city);
    b.scan(
        (0, 0),
        o,
        "Shipment information received",
        INFO_RECEIVED,
        None,
    );
    b.scan(
        (4 * HOUR, 24 * HOUR),
        o,
        "Picked up by the carrier",
        PICKED_UP,
        Some("ItemReceived"),
    );
    b.scan(
        (3 * HOUR, 12 * HOUR),
        o,
        "Departed from the sorting centre",
        DISPATCHED,
        Some("ItemDispatched"),
    );
    if ending == Ending::Expires {
        // Scans stop here; the tracking expires after 30 (express) or 60 (postal) days.
        return finish(b.events);
    }
    let far = (
        if last_mile.is_some() {
            Leg::Destination
        } else {
            Leg::Origin
        },
        destination,
        d_city,
    );
    if international {
        b.scan(
            (12 * HOUR, 36 * HOUR),
            o,
            "Departed from the origin airport",
            DEPARTED_AIRPORT,
            Some("DepartfromAirport"),
        );
        b.scan(
            (18 * HOUR, 72 * HOUR),
            far,
            "Arrived in the destination country",
            ARRIVED_ABROAD,
            Some("ArrivalfromAbroad"),
        );
        if ending == Ending::Exception && b.rng.below(2) == 0 {
            b.scan(
                (12 * HOUR, 48 * HOUR),
                far,
                "Held by customs",
                CUSTOMS_HELD,
                None,
            );
            return finish(b.events);
        }
        b.scan(
            (6 * HOUR, 48 * HOUR),
            far,
            "Customs clearance completed",
            CUSTOMS_CLEARED,
            Some("CustomsClearance"),
        );
    }
    b.scan(
        (8 * HOUR, 36 * HOUR),
        far,
        "Arrived at the delivery facility",
        AT_DELIVERY_FACILITY,
        Some("DestinationArrived"),
    );
    let collect = b.rng.below(5) == 0;
    if collect {
        b.scan(
            (6 * HOUR, 20 * HOUR),
            far,
            "Ready for collection at the pickup point",
            READY_FOR_COLLECTION,
            None,
        );
    } else {
        b.scan(
            (6 * HOUR, 20 * HOUR),
            far,
            "Out for delivery",
            OUT_FOR_DELIVERY,
            None,
        );
    }
    let (desc, last) = match ending {
        Ending::Delivered if collect => {
            ("Collected by the customer at the pickup point", COLLECTED)
        }
        Ending::Delivered => *b.rng.pick(&[
            ("Delivered", DELIVERED),
            ("Delivered, signed for by the recipient", SIGNED),
            ("Delivered, left at the front door", LEFT_AT_DOOR),
        ]),
        Ending::Undelivered => ("Delivery attempted: no one at home, card left", NOBODY_HOME),
        _ => *b.rng.pick(&[
            ("Refused by the recipient", REFUSED),
            ("Returning to the sender: address unknown", RETURNING),
            ("Unclaimed at the pickup point", UNCLAIMED),
            ("Damaged in transit", DAMAGED),
        ]),
    };
    b.scan((2 * HOUR, 8 * HOUR), far, desc, last, None);
    if last == RETURNING {
        // The parcel goes back: returned some days later, and the sender's own "delivered"
        // scan after that does not undo the exception (v4's sticky exception010/011).
        b.scan(
            (3 * 24 * HOUR, 9 * 24 * HOUR),
            o,
            "Returned to the sender",
            RETURNED,
            None,
        );
        b.scan(
            (4 * HOUR, 30 * HOUR),
            o,
            "Delivered to the sender",
            DELIVERED,
            None,
        );
    }
    finish(b.events)
}

/// Appends scans at growing times.
struct Scans {
    rng: Rng,
    t: i64,
    events: Vec<Event>,
}

impl Scans {
    fn scan(
        &mut self,
        gap: (i64, i64),
        (leg, at, city): (Leg, &'static Country, &'static str),
        description: &'static str,
        code: Code,
        node: Option<&'static str>,
    ) {
        self.t += self.rng.between(gap.0, gap.1);
        self.events.push(Event {
            offset_ms: self.t,
            leg,
            description,
            details: format!("{city}, {}", at.code),
            code,
            node,
            utc_offset_h: at.utc_offset_h,
            city,
            country: at.code,
        });
    }
}
