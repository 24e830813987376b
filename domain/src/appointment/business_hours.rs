use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use crate::{FieldError, ValidationErrors};

/// The weekdays, Monday first, as the API names them.
/// The weekdays, as business hours name them (any case, spaces around allowed).
pub const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// When the tenant takes appointments: its time zone and each weekday's opening hours (a day
/// without hours is closed).
#[derive(Debug, Clone, PartialEq)]
pub struct BusinessHours {
    pub timezone: Tz,
    /// Monday first.
    pub days: [Option<(NaiveTime, NaiveTime)>; 7],
}

/// One day's hours as the API writes them: `{"open": "09:00", "close": "17:00"}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpeningHours {
    pub open: String,
    pub close: String,
}

impl Default for BusinessHours {
    /// Monday to Friday, 09:00 to 17:00, UTC.
    fn default() -> Self {
        let nine_to_five = NaiveTime::from_hms_opt(9, 0, 0).zip(NaiveTime::from_hms_opt(17, 0, 0));
        let mut days = [None; 7];
        for day in days.iter_mut().take(5) {
            *day = nine_to_five;
        }
        Self {
            timezone: Tz::UTC,
            days,
        }
    }
}

/// Every IANA time zone name business hours may be kept in.
pub fn time_zone_names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

impl BusinessHours {
    /// Reads an IANA time zone and hours keyed by weekday name (seed 002's shape).
    pub fn parse(timezone: &str, days: &BTreeMap<String, OpeningHours>) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let timezone = errors.check(
            timezone
                .trim()
                .parse::<Tz>()
                .map_err(|_| FieldError::new("timezone", format!("not an IANA time zone: {timezone:?}"))),
        );
        let mut parsed = [None; 7];
        for (name, hours) in days {
            let field = format!("business_hours.{name}");
            let Some(index) = WEEKDAYS.iter().position(|d| *d == name.trim().to_lowercase()) else {
                errors.push(FieldError::new(field, "not a weekday (monday … sunday)"));
                continue;
            };
            let time = |raw: &str| NaiveTime::parse_from_str(raw.trim(), "%H:%M").ok();
            match (time(&hours.open), time(&hours.close)) {
                (Some(open), Some(close)) if open < close => parsed[index] = Some((open, close)),
                (Some(_), Some(_)) => errors.push(FieldError::new(field, "must open before it closes")),
                _ => errors.push(FieldError::new(field, "open and close are HH:MM")),
            }
        }
        let timezone = timezone.unwrap_or(Tz::UTC);
        errors.into_result(|| Self { timezone, days: parsed })
    }

    /// The hours keyed by weekday name, open days only.
    pub fn opening_hours(&self) -> BTreeMap<String, OpeningHours> {
        WEEKDAYS
            .iter()
            .zip(self.days.iter())
            .filter_map(|(name, day)| {
                day.map(|(open, close)| {
                    (
                        name.to_string(),
                        OpeningHours {
                            open: open.format("%H:%M").to_string(),
                            close: close.format("%H:%M").to_string(),
                        },
                    )
                })
            })
            .collect()
    }
}

/// Which free slots to look for.
#[derive(Debug, Clone)]
pub struct SlotQuery {
    /// The first and last local dates, inclusive.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub duration_minutes: u32,
    /// Slots start every this many minutes from opening.
    pub step_minutes: u32,
    /// Slots that start before this are gone.
    pub not_before: DateTime<Utc>,
    /// The most slots to return.
    pub limit: usize,
}

/// A free stretch of time, in UTC and in the tenant's time zone.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Slot {
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// The start in the tenant's time zone, with its offset.
    pub local_start: String,
}

/// The slots within business hours that overlap none of `busy` (start, end) and start after
/// `not_before`. Local times a daylight-saving change skips are left out.
pub fn available_slots(hours: &BusinessHours, query: &SlotQuery, busy: &[(DateTime<Utc>, DateTime<Utc>)]) -> Vec<Slot> {
    let length = Duration::minutes(i64::from(query.duration_minutes.max(1)));
    let step = Duration::minutes(i64::from(query.step_minutes.max(5)));
    let tz = hours.timezone;
    let mut slots = vec![];
    let mut date = query.from;
    while date <= query.to && slots.len() < query.limit {
        if let Some((open, close)) = hours.days[date.weekday().num_days_from_monday() as usize] {
            let local = |time: NaiveTime| tz.from_local_datetime(&date.and_time(time)).earliest();
            if let (Some(open), Some(close)) = (local(open), local(close)) {
                let (open, close) = (open.with_timezone(&Utc), close.with_timezone(&Utc));
                let mut start = open;
                while start + length <= close && slots.len() < query.limit {
                    let end = start + length;
                    let free = busy.iter().all(|(b_start, b_end)| end <= *b_start || start >= *b_end);
                    if start >= query.not_before && free {
                        slots.push(Slot {
                            starts_at: start,
                            ends_at: end,
                            local_start: start.with_timezone(&tz).to_rfc3339(),
                        });
                    }
                    start += step;
                }
            }
        }
        let Some(next) = date.succ_opt() else { break };
        date = next;
    }
    slots
}
