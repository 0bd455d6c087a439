//! Deterministic shipment journeys: the same seed, carrier and number always give the same
//! route, events and ending.

use tm_types::{Substatus, TrackingStatus};

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
    pub description: String,
    /// `Details` (location).
    pub details: String,
    /// `checkpoint_status`.
    pub status: TrackingStatus,
    /// `substatus`.
    pub substatus: Substatus,
    /// `ItemNode`: the milestone this event marks.
    pub node: Option<&'static str>,
    /// Hours ahead of UTC where it happened.
    pub utc_offset_h: i64,
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
    if ending == Ending::NeverFound {
        return Plan {
            origin,
            destination,
            last_mile,
            ending,
            events: Vec::new(),
        };
    }
    let o_city = *rng.pick(origin.cities);
    let d_city = *rng.pick(destination.cities);
    let mut b = Scans {
        t: rng.between(HOUR / 2, 3 * HOUR),
        rng,
        events: Vec::new(),
    };
    use Substatus as S;
    use TrackingStatus as T;
    let o = (Leg::Origin, origin, o_city);
    b.scan(
        (0, 0),
        o,
        "Shipment information received",
        T::NotFound,
        S::Notfound001,
        None,
    );
    b.scan(
        (4 * HOUR, 24 * HOUR),
        o,
        "Picked up by the carrier",
        T::Transit,
        S::Transit001,
        Some("ItemReceived"),
    );
    b.scan(
        (3 * HOUR, 12 * HOUR),
        o,
        "Departed from the sorting centre",
        T::Transit,
        S::Transit002,
        Some("ItemDispatched"),
    );
    if ending == Ending::Expires {
        // Scans stop here; the tracking expires after 30 (express) or 60 (postal) days.
        return Plan {
            origin,
            destination,
            last_mile,
            ending,
            events: b.events,
        };
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
            T::Transit,
            S::Transit001,
            Some("DepartfromAirport"),
        );
        b.scan(
            (18 * HOUR, 72 * HOUR),
            far,
            "Arrived in the destination country",
            T::Transit,
            S::Transit004,
            Some("ArrivalfromAbroad"),
        );
        if ending == Ending::Exception && b.rng.below(2) == 0 {
            b.scan(
                (12 * HOUR, 48 * HOUR),
                far,
                "Held by customs",
                T::Exception,
                S::Exception006,
                None,
            );
            return Plan {
                origin,
                destination,
                last_mile,
                ending,
                events: b.events,
            };
        }
        b.scan(
            (6 * HOUR, 48 * HOUR),
            far,
            "Customs clearance completed",
            T::Transit,
            S::Transit005,
            Some("CustomsClearance"),
        );
    }
    b.scan(
        (8 * HOUR, 36 * HOUR),
        far,
        "Arrived at the delivery facility",
        T::Transit,
        S::Transit003,
        Some("DestinationArrived"),
    );
    b.scan(
        (6 * HOUR, 20 * HOUR),
        far,
        "Out for delivery",
        T::Pickup,
        S::Unknown("pickup001".into()),
        None,
    );
    let (desc, status, sub) = match ending {
        Ending::Delivered => b
            .rng
            .pick(&[
                ("Delivered", T::Delivered, S::Delivered001),
                (
                    "Delivered, signed for by the recipient",
                    T::Delivered,
                    S::Delivered003,
                ),
                (
                    "Delivered, left at the front door",
                    T::Delivered,
                    S::Delivered004,
                ),
                (
                    "Collected by the customer at the pickup point",
                    T::Delivered,
                    S::Delivered002,
                ),
            ])
            .clone(),
        Ending::Undelivered => (
            "Delivery attempted: no one at home, card left",
            T::Undelivered,
            S::Unknown("undelivered001".into()),
        ),
        _ => b
            .rng
            .pick(&[
                ("Refused by the recipient", T::Exception, S::Exception009),
                (
                    "Returning to the sender: address unknown",
                    T::Exception,
                    S::Exception011,
                ),
                (
                    "Unclaimed at the pickup point",
                    T::Exception,
                    S::Exception004,
                ),
                ("Damaged in transit", T::Exception, S::Exception007),
            ])
            .clone(),
    };
    b.scan((2 * HOUR, 8 * HOUR), far, desc, status, sub, None);
    Plan {
        origin,
        destination,
        last_mile,
        ending,
        events: b.events,
    }
}

/// Appends scans at growing times.
struct Scans {
    rng: Rng,
    t: i64,
    events: Vec<Event>,
}

impl Scans {
    #[allow(clippy::too_many_arguments)]
    fn scan(
        &mut self,
        gap: (i64, i64),
        (leg, at, city): (Leg, &'static Country, &str),
        description: &str,
        status: TrackingStatus,
        substatus: Substatus,
        node: Option<&'static str>,
    ) {
        self.t += self.rng.between(gap.0, gap.1);
        self.events.push(Event {
            offset_ms: self.t,
            leg,
            description: description.to_owned(),
            details: format!("{city}, {}", at.code),
            status,
            substatus,
            node,
            utc_offset_h: at.utc_offset_h,
        });
    }
}
