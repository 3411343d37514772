//! Calendar days as `driftgate.yaml` writes them (`until: 2026-03-31`), and today's date.

/// A calendar day (`YYYY-MM-DD`), as written in `until:`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    pub year: u16,
    pub month: u8,
    pub day: u8,
}

/// The environment variable that overrides today's date (`YYYY-MM-DD`), for tests and replays.
pub const TODAY_ENV: &str = "DRIFTGATE_TODAY";

impl Date {
    /// Parses exactly `YYYY-MM-DD` with a day that exists (leap years included).
    pub fn parse(text: &str) -> Option<Date> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<u16> {
            let part = text.get(range)?;
            if !part.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (day >= 1 && day <= days_in_month).then_some(Date { year, month: month as u8, day: day as u8 })
    }

    /// Today in UTC, or the date in `DRIFTGATE_TODAY` when that is set and valid.
    pub fn today() -> Date {
        Date::checked_today().unwrap_or_else(|_| Date::clock_today())
    }

    /// [`today`](Self::today), but a `DRIFTGATE_TODAY` that is not a date is an error.
    pub fn checked_today() -> Result<Date, String> {
        match std::env::var(TODAY_ENV) {
            Ok(text) => Date::parse(text.trim())
                .ok_or_else(|| format!("{TODAY_ENV} must be a date written YYYY-MM-DD, found `{text}`")),
            Err(_) => Ok(Date::clock_today()),
        }
    }

    fn clock_today() -> Date {
        let seconds =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_secs());
        Date::from_days_since_epoch((seconds / 86_400) as i64)
    }

    /// The civil date of a day count since 1970-01-01 (proleptic Gregorian calendar).
    fn from_days_since_epoch(days: i64) -> Date {
        let shifted = days + 719_468;
        let era = shifted.div_euclid(146_097);
        let day_of_era = shifted.rem_euclid(146_097);
        let year_of_era = (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
        let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
        let month_index = (5 * day_of_year + 2) / 153;
        let day = day_of_year - (153 * month_index + 2) / 5 + 1;
        let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
        let year = year_of_era + era * 400 + i64::from(month <= 2);
        Date { year: year.clamp(0, 9999) as u16, month: month as u8, day: day as u8 }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> Date {
        Date::parse(text).unwrap()
    }

    #[test]
    fn dates_parse_strictly_and_order_by_day() {
        assert_eq!(date("2024-02-29"), Date { year: 2024, month: 2, day: 29 });
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-04-31",
            "2026-4-01",
            "26-04-01",
            "2026-04-01x",
            "2026/04/01",
            "",
            "+026-04-01",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert!(date("2026-06-30") < date("2026-07-01"));
        assert_eq!(date("2026-06-30").to_string(), "2026-06-30");
        assert_eq!(Date::from_days_since_epoch(0), date("1970-01-01"));
        assert_eq!(Date::from_days_since_epoch(19_782), date("2024-02-29"));
        assert_eq!(Date::from_days_since_epoch(20_635), date("2026-07-01"));
    }
}
