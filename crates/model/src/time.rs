//! Times as the report format defines them: RFC 3339 instants, with times
//! without an offset read as UK local time (Europe/London), event times that
//! may be bare dates, and birth dates that may be partial.

use std::fmt;
use std::sync::OnceLock;

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use serde::{Serialize, Serializer};

/// Europe/London, from the tz database bundled into the binary so that
/// results do not depend on the host's zoneinfo.
pub fn uk_time_zone() -> &'static TimeZone {
    static TZ: OnceLock<TimeZone> = OnceLock::new();
    TZ.get_or_init(|| TimeZone::get("Europe/London").unwrap_or(TimeZone::UTC))
}

/// How a time value was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePrecision {
    /// A date and time with an explicit offset.
    Instant,
    /// A date and time without an offset, read as UK local time.
    LocalTime,
    /// A bare date, read as the start of that day in UK local time.
    Date,
}

/// A parsed time with how it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParsedTime {
    pub instant: Timestamp,
    pub precision: TimePrecision,
    /// The calendar date in UK local time.
    pub uk_date: Date,
}

/// Parses an RFC 3339 time, a local date-time (UK time) or a bare date.
pub fn parse_time(text: &str) -> Option<ParsedTime> {
    let text = text.trim();
    if text.is_empty() || text.len() > 64 {
        return None;
    }
    let tz = uk_time_zone();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Some(ParsedTime {
            instant: ts,
            precision: TimePrecision::Instant,
            uk_date: ts.to_zoned(tz.clone()).date(),
        });
    }
    // A bare date parses as a DateTime at midnight too; tell them apart by
    // the absence of a time separator.
    let has_time = text.len() > 10;
    if has_time && let Ok(dt) = text.parse::<DateTime>() {
        let zoned: Zoned = tz.to_zoned(dt).ok()?;
        return Some(ParsedTime {
            instant: zoned.timestamp(),
            precision: TimePrecision::LocalTime,
            uk_date: dt.date(),
        });
    }
    if !has_time && let Ok(date) = text.parse::<Date>() {
        let zoned = tz
            .to_zoned(date.to_datetime(jiff::civil::Time::midnight()))
            .ok()?;
        return Some(ParsedTime {
            instant: zoned.timestamp(),
            precision: TimePrecision::Date,
            uk_date: date,
        });
    }
    None
}

/// Formats an instant as RFC 3339 with an offset (UTC, `Z`), as every time
/// Sightline writes.
pub fn format_instant(ts: Timestamp) -> String {
    ts.to_string()
}

/// A birth date as recorded: a full date, a year and month, or a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PartialDate {
    pub year: i16,
    pub month: Option<i8>,
    pub day: Option<i8>,
}

/// Why a birth date could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartialDateError {
    /// Not in any date form we know.
    Format,
    /// In a known form but not a real calendar date (31 February, month 13).
    NotADate,
}

/// How a birth date was written, when it was readable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateForm {
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, as the format asks.
    Iso,
    /// `DD/MM/YYYY` (or with `-` or `.`): the UK convention, read day first.
    DayFirst,
}

impl PartialDate {
    pub fn full(date: Date) -> Self {
        PartialDate {
            year: date.year(),
            month: Some(date.month()),
            day: Some(date.day()),
        }
    }

    /// Parses `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or day-first `DD/MM/YYYY`.
    pub fn parse(text: &str) -> Result<(PartialDate, DateForm), PartialDateError> {
        let text = text.trim();
        // At most three parts; more is never a date.
        let mut split = [""; 3];
        let mut n = 0;
        for part in text.split(['-', '/', '.']) {
            if n == split.len() {
                return Err(PartialDateError::Format);
            }
            split[n] = part;
            n += 1;
        }
        let parts = &split[..n];
        let all_digits = parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()));
        if !all_digits {
            return Err(PartialDateError::Format);
        }
        let num = |s: &str| s.parse::<i32>().map_err(|_| PartialDateError::Format);
        let (year, month, day, form) = match parts {
            [y] if y.len() == 4 => (num(y)?, None, None, DateForm::Iso),
            [y, m] if y.len() == 4 && m.len() == 2 && text.contains('-') => {
                (num(y)?, Some(num(m)?), None, DateForm::Iso)
            }
            [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 && !text.contains('/') => {
                (num(y)?, Some(num(m)?), Some(num(d)?), DateForm::Iso)
            }
            [d, m, y]
                if y.len() == 4 && (1..=2).contains(&d.len()) && (1..=2).contains(&m.len()) =>
            {
                (num(y)?, Some(num(m)?), Some(num(d)?), DateForm::DayFirst)
            }
            _ => return Err(PartialDateError::Format),
        };
        if !(1000..=9999).contains(&year) {
            return Err(PartialDateError::NotADate);
        }
        let year = year as i16;
        let month = match month {
            Some(m) if (1..=12).contains(&m) => Some(m as i8),
            Some(_) => return Err(PartialDateError::NotADate),
            None => None,
        };
        let day = match (month, day) {
            (Some(m), Some(d)) => {
                let d = i8::try_from(d).map_err(|_| PartialDateError::NotADate)?;
                Date::new(year, m, d).map_err(|_| PartialDateError::NotADate)?;
                Some(d)
            }
            _ => None,
        };
        Ok((PartialDate { year, month, day }, form))
    }

    /// The full date when day and month are known.
    pub fn to_date(self) -> Option<Date> {
        Date::new(self.year, self.month?, self.day?).ok()
    }

    /// The earliest date this partial date can stand for.
    pub fn earliest(self) -> Date {
        Date::new(self.year, self.month.unwrap_or(1), self.day.unwrap_or(1)).unwrap_or(Date::MIN)
    }

    /// Age in whole years on `on`, using the earliest date the birth date
    /// allows (so a partial date never makes someone look younger).
    pub fn age_on(self, on: Date) -> Option<i32> {
        let born = self.earliest();
        if on < born {
            return None;
        }
        let mut age = i32::from(on.year()) - i32::from(born.year());
        if (on.month(), on.day()) < (born.month(), born.day()) {
            age -= 1;
        }
        Some(age)
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
            if let Some(d) = self.day {
                write!(f, "-{d:02}")?;
            }
        }
        Ok(())
    }
}

impl Serialize for PartialDate {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl Serialize for ParsedTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.instant)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offset_times() {
        let t = parse_time("2008-03-14T22:10:00Z").unwrap();
        assert_eq!(t.precision, TimePrecision::Instant);
        assert_eq!(format_instant(t.instant), "2008-03-14T22:10:00Z");
        let t = parse_time("2008-03-14T22:10:00+01:00").unwrap();
        assert_eq!(format_instant(t.instant), "2008-03-14T21:10:00Z");
    }

    #[test]
    fn local_times_are_uk_time() {
        // Summer: BST is UTC+1.
        let t = parse_time("2008-07-01T09:00:00").unwrap();
        assert_eq!(t.precision, TimePrecision::LocalTime);
        assert_eq!(format_instant(t.instant), "2008-07-01T08:00:00Z");
        // Winter: GMT.
        let t = parse_time("2008-01-01 09:00").unwrap();
        assert_eq!(format_instant(t.instant), "2008-01-01T09:00:00Z");
    }

    #[test]
    fn bare_dates() {
        let t = parse_time("2008-07-01").unwrap();
        assert_eq!(t.precision, TimePrecision::Date);
        assert_eq!(format_instant(t.instant), "2008-06-30T23:00:00Z");
        assert_eq!(t.uk_date, Date::new(2008, 7, 1).unwrap());
    }

    #[test]
    fn bad_times() {
        for bad in [
            "",
            "yesterday",
            "2008-13-01",
            "2008-02-30T10:00:00Z",
            "31/02/2008",
        ] {
            assert!(parse_time(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn partial_dates() {
        let (d, f) = PartialDate::parse("1995-04-12").unwrap();
        assert_eq!(
            (d.to_string(), f),
            ("1995-04-12".to_string(), DateForm::Iso)
        );
        assert_eq!(
            PartialDate::parse("1995-04").unwrap().0.to_string(),
            "1995-04"
        );
        assert_eq!(PartialDate::parse("1995").unwrap().0.to_string(), "1995");
        let (d, f) = PartialDate::parse("14/03/2008").unwrap();
        assert_eq!(
            (d.to_string(), f),
            ("2008-03-14".to_string(), DateForm::DayFirst)
        );
        assert_eq!(
            PartialDate::parse("31/02/2008"),
            Err(PartialDateError::NotADate)
        );
        assert_eq!(
            PartialDate::parse("2008-13-01"),
            Err(PartialDateError::NotADate)
        );
        assert_eq!(
            PartialDate::parse("2008-02-30"),
            Err(PartialDateError::NotADate)
        );
        assert_eq!(
            PartialDate::parse("12th May"),
            Err(PartialDateError::Format)
        );
        assert_eq!(
            PartialDate::parse("95-04-12"),
            Err(PartialDateError::Format)
        );
        assert_eq!(PartialDate::parse(""), Err(PartialDateError::Format));
    }

    #[test]
    fn ages() {
        let born = PartialDate::parse("1995-04-12").unwrap().0;
        assert_eq!(born.age_on(Date::new(2008, 4, 11).unwrap()), Some(12));
        assert_eq!(born.age_on(Date::new(2008, 4, 12).unwrap()), Some(13));
        assert_eq!(born.age_on(Date::new(1990, 1, 1).unwrap()), None);
    }
}
