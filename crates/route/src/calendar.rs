//! Working days in England and Wales: weekends and bank holidays from a
//! table the project ships (2000–2030, `data/bank-holidays-england-and-wales.csv`,
//! with the one-off days: jubilees, the royal wedding, the state funeral, the
//! coronation), in Europe/London time. Organisations add days (a local
//! closure) with their own rows.

use std::collections::BTreeSet;

use jiff::civil::{Date, Weekday};
use jiff::{Timestamp, ToSpan};

pub const BANK_HOLIDAYS: &str = include_str!("../data/bank-holidays-england-and-wales.csv");

#[derive(Debug, thiserror::Error)]
#[error("{file}, line {line}: {message}")]
pub struct CalendarError {
    pub file: String,
    pub line: u64,
    pub message: String,
}

#[derive(Debug, Clone)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
    /// First and last year the table covers: outside them only weekends
    /// are known.
    pub covers: (i16, i16),
}

impl Calendar {
    /// The shipped table.
    pub fn england_and_wales() -> Calendar {
        Self::parse(BANK_HOLIDAYS, "bank-holidays-england-and-wales.csv")
            .expect("the shipped bank holiday table is valid (a test checks it)")
    }

    /// Reads a `date,name` table.
    pub fn parse(text: &str, file: &str) -> Result<Calendar, CalendarError> {
        let mut holidays = BTreeSet::new();
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for (i, row) in reader.records().enumerate() {
            let line = i as u64 + 2;
            let err = |message: String| CalendarError {
                file: file.to_string(),
                line,
                message,
            };
            let row = row.map_err(|e| err(e.to_string()))?;
            let text = row.get(0).unwrap_or("").trim();
            let date: Date = text
                .parse()
                .map_err(|_| err(format!("`{text}` is not a date (YYYY-MM-DD)")))?;
            holidays.insert(date);
        }
        let covers = match (holidays.first(), holidays.last()) {
            (Some(a), Some(b)) => (a.year(), b.year()),
            _ => (0, -1),
        };
        Ok(Calendar { holidays, covers })
    }

    /// Adds an organisation's own closed days.
    pub fn with_days(mut self, days: impl IntoIterator<Item = Date>) -> Calendar {
        self.holidays.extend(days);
        self
    }

    pub fn is_working_day(&self, date: Date) -> bool {
        !matches!(date.weekday(), Weekday::Saturday | Weekday::Sunday)
            && !self.holidays.contains(&date)
    }

    pub fn is_bank_holiday(&self, date: Date) -> bool {
        self.holidays.contains(&date)
    }

    /// The deadline `days` working days after `start`, in UK time: the same
    /// time of day on the `days`-th working day after it. A start outside
    /// working days starts the clock at 00:00 of the next working day.
    pub fn add_working_days(&self, start: Timestamp, days: u32) -> Timestamp {
        let tz = sightline_model::uk_time_zone();
        let local = start.to_zoned(tz.clone());
        let (mut date, time) = if self.is_working_day(local.date()) {
            (local.date(), local.time())
        } else {
            let mut d = local.date();
            while !self.is_working_day(d) {
                d = d.tomorrow().unwrap_or(d);
            }
            (d, jiff::civil::Time::midnight())
        };
        let mut left = days;
        while left > 0 {
            date = match date.checked_add(1.day()) {
                Ok(d) => d,
                Err(_) => break,
            };
            if self.is_working_day(date) {
                left -= 1;
            }
        }
        date.to_datetime(time)
            .to_zoned(tz.clone())
            .map(|z| z.timestamp())
            .unwrap_or(start)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn the_shipped_table_covers_2000_to_2030_with_the_one_off_days() {
        let c = Calendar::england_and_wales();
        assert_eq!(c.covers, (2000, 2030));
        for day in [
            "2000-01-03", // New Year's Day, substitute
            "2002-06-03", // Golden Jubilee
            "2011-04-29", // royal wedding
            "2012-06-05", // Diamond Jubilee
            "2020-05-08", // VE day, the early May holiday moved
            "2021-12-27",
            "2021-12-28",
            "2022-06-02",
            "2022-06-03",
            "2022-09-19", // state funeral
            "2023-05-08", // coronation
            "2024-03-29", // Good Friday
            "2024-04-01", // Easter Monday
            "2030-12-25",
        ] {
            assert!(c.is_bank_holiday(d(day)), "{day}");
        }
        for day in ["2020-05-04", "2022-05-30", "2023-05-01"] {
            assert_eq!(c.is_bank_holiday(d(day)), day == "2023-05-01", "{day}");
        }
        // Eight a year, more in the years with one-off days.
        assert_eq!(
            BANK_HOLIDAYS
                .lines()
                .filter(|l| l.starts_with("2019-"))
                .count(),
            8
        );
    }

    #[test]
    fn working_days_skip_weekends_and_bank_holidays() {
        let c = Calendar::england_and_wales();
        // Friday 15:00 -> Monday 15:00 (UK time, here GMT).
        assert_eq!(
            c.add_working_days(t("2024-01-12T15:00:00Z"), 1),
            t("2024-01-15T15:00:00Z")
        );
        // Thursday before Easter, 10:00 GMT -> the Tuesday after Easter
        // Monday, 10:00 local, which is BST by then.
        assert_eq!(
            c.add_working_days(t("2024-03-28T10:00:00Z"), 1),
            t("2024-04-02T09:00:00Z")
        );
        // A concern raised on a Saturday starts Monday 00:00: due Tuesday
        // 00:00.
        assert_eq!(
            c.add_working_days(t("2024-01-13T12:00:00Z"), 1),
            t("2024-01-16T00:00:00Z")
        );
    }
}
