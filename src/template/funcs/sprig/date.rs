//! Sprig's date functions on a Go-compatible `time.Time`, with a fixed clock.
//!
//! `now` is 2000-01-01T00:00:00Z unless `DRIFTGATE_NOW` holds an RFC 3339 instant, so every
//! render is reproducible. Go's `Local` zone is UTC, and named IANA zones other than `UTC` fall
//! back to UTC (as Go does for a zone it cannot load).

use std::sync::{Arc, OnceLock};

use super::support::{arg, fixed, str_arg, string};
use crate::template::funcs::{FuncError, Function, ParamType as P};
use crate::value::{Object, Value};

/// The instant `now` returns when `DRIFTGATE_NOW` is not set: 2000-01-01T00:00:00Z.
pub const DEFAULT_NOW_UNIX: i64 = 946_684_800;

/// The environment variable that overrides `now` (RFC 3339, e.g. `2024-05-01T12:00:00Z`).
pub const NOW_ENV: &str = "DRIFTGATE_NOW";

const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// Internal member names (not Go identifiers, so templates cannot reach them).
const OFFSET_FIELD: &str = "#offset";
const ZONE_FIELD: &str = "#zone";

/// This family's functions, with their Go signatures.
pub fn functions() -> Vec<Function> {
    vec![
        fixed("now", &[], |_| Ok(now().into_value())),
        fixed("date", &[P::String, P::Any], |a| string(date_in_zone(str_arg(a, 0)?, arg(a, 1), "Local"))),
        fixed("dateInZone", &[P::String, P::Any, P::String], |a| {
            string(date_in_zone(str_arg(a, 0)?, arg(a, 1), str_arg(a, 2)?))
        }),
        fixed("date_in_zone", &[P::String, P::Any, P::String], |a| {
            string(date_in_zone(str_arg(a, 0)?, arg(a, 1), str_arg(a, 2)?))
        }),
        fixed("htmlDate", &[P::Any], |a| string(date_in_zone("2006-01-02", arg(a, 0), "Local"))),
        fixed("htmlDateInZone", &[P::Any, P::String], |a| {
            string(date_in_zone("2006-01-02", arg(a, 0), str_arg(a, 1)?))
        }),
        fixed("dateModify", &[P::String, P::Any], |a| date_modify(a, false)),
        fixed("date_modify", &[P::String, P::Any], |a| date_modify(a, false)),
        fixed("mustDateModify", &[P::String, P::Any], |a| date_modify(a, true)),
        fixed("must_date_modify", &[P::String, P::Any], |a| date_modify(a, true)),
        fixed("ago", &[P::Any], |a| {
            let t = time_or_now(arg(a, 0));
            let since = now().unix_nanos().saturating_sub(t.unix_nanos());
            string(format_duration(round_to_second(since)))
        }),
        fixed("duration", &[P::Any], |a| {
            let seconds = match arg(a, 0) {
                Value::String(s) => s.parse::<i64>().unwrap_or(0),
                Value::Int64(n) => *n,
                _ => 0,
            };
            string(format_duration(seconds.wrapping_mul(NANOS_PER_SECOND)))
        }),
        fixed("durationRound", &[P::Any], |a| {
            let nanos = match arg(a, 0) {
                Value::String(s) => parse_duration(s).unwrap_or(0),
                Value::Int64(n) => *n,
                v => match as_time(v) {
                    Some(t) => now().unix_nanos().saturating_sub(t.unix_nanos()),
                    None => 0,
                },
            };
            string(duration_round(nanos))
        }),
        fixed("toDate", &[P::String, P::String], |a| {
            Ok(GoTime::parse(str_arg(a, 0)?, str_arg(a, 1)?).unwrap_or_else(|_| GoTime::zero()).into_value())
        }),
        fixed("mustToDate", &[P::String, P::String], |a| {
            Ok(GoTime::parse(str_arg(a, 0)?, str_arg(a, 1)?).map_err(FuncError::new)?.into_value())
        }),
        fixed("unixEpoch", &[P::Any], |a| {
            let t = as_time(arg(a, 0)).ok_or_else(|| wrong_time(arg(a, 0)))?;
            string(t.unix.to_string())
        }),
    ]
}

fn wrong_time(v: &Value) -> FuncError {
    FuncError::new(format!("wrong type for value; expected time.Time; got {}", v.type_name()))
}

/// The fixed clock.
pub fn now() -> GoTime {
    static NOW: OnceLock<GoTime> = OnceLock::new();
    NOW.get_or_init(|| {
        std::env::var(NOW_ENV)
            .ok()
            .and_then(|text| GoTime::parse("2006-01-02T15:04:05Z07:00", text.trim()).ok())
            .unwrap_or_else(|| GoTime::from_unix(DEFAULT_NOW_UNIX, 0))
    })
    .clone()
}

fn as_time(value: &Value) -> Option<GoTime> {
    match value {
        Value::Object(o) if o.type_name() == "time.Time" => {
            let unix = o.field("Unix").and_then(|v| if let Value::Int64(n) = v { Some(n) } else { None })?;
            let nanos = o.field("Nanosecond").and_then(|v| if let Value::Int(n) = v { Some(n) } else { None })?;
            let offset = o.field(OFFSET_FIELD).and_then(|v| if let Value::Int(n) = v { Some(n) } else { None })?;
            let zone = o.field(ZONE_FIELD).and_then(|v| v.as_str().map(str::to_string))?;
            Some(GoTime { unix, nanos: nanos as u32, offset: offset as i32, zone: zone.into() })
        }
        _ => None,
    }
}

/// Sprig's date argument: a time, or Unix seconds as int/int64, else the current time.
fn time_or_now(value: &Value) -> GoTime {
    match value {
        Value::Int(n) | Value::Int64(n) => GoTime::from_unix(*n, 0),
        other => as_time(other).unwrap_or_else(now),
    }
}

fn date_in_zone(layout: &str, date: &Value, _zone: &str) -> String {
    // Every zone renders as UTC (see the module documentation).
    time_or_now(date).to_utc().format(layout)
}

fn date_modify(a: &[Value], must: bool) -> Result<Value, FuncError> {
    let t = as_time(arg(a, 1)).ok_or_else(|| wrong_time(arg(a, 1)))?;
    match parse_duration(str_arg(a, 0)?) {
        Ok(d) => Ok(t.add_nanos(d).into_value()),
        Err(e) if must => Err(FuncError::new(e)),
        Err(_) => Ok(t.into_value()),
    }
}

fn round_to_second(nanos: i64) -> i64 {
    let rem = nanos % NANOS_PER_SECOND;
    let base = nanos - rem;
    if rem.abs() * 2 >= NANOS_PER_SECOND { base + rem.signum() * NANOS_PER_SECOND } else { base }
}

fn duration_round(nanos: i64) -> String {
    let u = nanos.unsigned_abs();
    let second = 1_000_000_000u64;
    let (minute, hour) = (60 * second, 3600 * second);
    let (day, month, year) = (24 * hour, 30 * 24 * hour, 365 * 24 * hour);
    for (unit, suffix) in [(year, "y"), (month, "mo"), (day, "d"), (hour, "h"), (minute, "m"), (second, "s")] {
        if u > unit {
            return format!("{}{suffix}", u / unit);
        }
    }
    "0s".to_string()
}

/// Go's `time.Duration.String()`.
pub fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".to_string();
    }
    let negative = nanos < 0;
    let mut u = nanos.unsigned_abs();
    let mut out = String::new();
    if u < 1_000_000_000 {
        let (precision, unit) = if u < 1_000 {
            (0, "ns")
        } else if u < 1_000_000 {
            (3, "µs")
        } else {
            (6, "ms")
        };
        let (int, frac) = split_fraction(u, precision);
        out.push_str(&int.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let (seconds, frac) = split_fraction(u, 9);
        u = seconds;
        let mut parts = format!("{}{frac}s", u % 60);
        u /= 60;
        if u > 0 {
            parts = format!("{}m{parts}", u % 60);
            u /= 60;
            if u > 0 {
                parts = format!("{u}h{parts}");
            }
        }
        out.push_str(&parts);
    }
    if negative { format!("-{out}") } else { out }
}

/// The integer part of `v / 10^precision` and its fraction as ".ddd" without trailing zeros.
fn split_fraction(v: u64, precision: u32) -> (u64, String) {
    let scale = 10u64.pow(precision);
    let (int, frac) = (v / scale, v % scale);
    if frac == 0 {
        return (int, String::new());
    }
    let digits = format!("{frac:0width$}", width = precision as usize);
    (int, format!(".{}", digits.trim_end_matches('0')))
}

/// Go's `time.ParseDuration`.
pub fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {text:?}");
    let (negative, mut rest) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Ok(0);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total: f64 = 0.0;
    let mut total_int: i128 = 0;
    while !rest.is_empty() {
        let int_len = rest.bytes().take_while(u8::is_ascii_digit).count();
        let int_part = &rest[..int_len];
        rest = &rest[int_len..];
        let mut frac_part = "";
        if let Some(after) = rest.strip_prefix('.') {
            let frac_len = after.bytes().take_while(u8::is_ascii_digit).count();
            frac_part = &after[..frac_len];
            rest = &after[frac_len..];
            if int_len == 0 && frac_len == 0 {
                return Err(invalid());
            }
        } else if int_len == 0 {
            return Err(invalid());
        }
        let unit_len = rest.find(|c: char| c == '.' || c.is_ascii_digit()).unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let scale: i128 = match unit {
            "ns" => 1,
            "us" | "µs" | "μs" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            "m" => 60_000_000_000,
            "h" => 3_600_000_000_000,
            "" => return Err(format!("time: missing unit in duration {text:?}")),
            other => return Err(format!("time: unknown unit {other:?} in duration {text:?}")),
        };
        let int_value: i128 = if int_part.is_empty() { 0 } else { int_part.parse().map_err(|_| invalid())? };
        total_int = total_int.checked_add(int_value.checked_mul(scale).ok_or_else(invalid)?).ok_or_else(invalid)?;
        if !frac_part.is_empty() {
            let frac: f64 = format!("0.{frac_part}").parse().unwrap_or(0.0);
            total += frac * scale as f64;
        }
    }
    let sum = total_int + total as i128;
    let signed = if negative { -sum } else { sum };
    i64::try_from(signed).map_err(|_| invalid())
}

/// A Go `time.Time`: an instant plus the zone it is displayed in.
#[derive(Clone, Debug, PartialEq)]
pub struct GoTime {
    unix: i64,
    nanos: u32,
    /// Seconds east of UTC.
    offset: i32,
    /// Zone abbreviation; empty for a fixed offset without a name (printed as `+0200`).
    zone: Arc<str>,
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if month <= 2 { yoe + era * 400 + 1 } else { yoe + era * 400 }, month, day)
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Civil {
    year: i64,
    month: u32,
    day: u32,
    hour: u32,
    minute: u32,
    second: u32,
    weekday: usize,
    yday: u32,
}

impl GoTime {
    /// A UTC time from Unix seconds and nanoseconds.
    pub fn from_unix(unix: i64, nanos: u32) -> GoTime {
        GoTime { unix, nanos, offset: 0, zone: "UTC".into() }
    }

    /// A time at Unix seconds and nanoseconds, shown `offset` seconds east of UTC in the zone
    /// named `zone` (empty: a fixed offset without a name).
    pub fn with_zone(unix: i64, nanos: u32, offset: i32, zone: &str) -> GoTime {
        GoTime { unix, nanos, offset, zone: zone.into() }
    }

    /// The value templates hold.
    pub fn to_value(&self) -> Value {
        self.clone().into_value()
    }

    /// Go's zero time, 0001-01-01 00:00:00 UTC.
    pub fn zero() -> GoTime {
        GoTime::from_unix(-62_135_596_800, 0)
    }

    fn to_utc(&self) -> GoTime {
        GoTime { offset: 0, zone: "UTC".into(), ..self.clone() }
    }

    fn unix_nanos(&self) -> i64 {
        self.unix.saturating_mul(NANOS_PER_SECOND).saturating_add(i64::from(self.nanos))
    }

    fn add_nanos(&self, d: i64) -> GoTime {
        let total = i128::from(self.unix) * 1_000_000_000 + i128::from(self.nanos) + i128::from(d);
        let unix = total.div_euclid(1_000_000_000) as i64;
        let nanos = total.rem_euclid(1_000_000_000) as u32;
        GoTime { unix, nanos, ..self.clone() }
    }

    fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    fn civil(&self) -> Civil {
        let local = self.unix + i64::from(self.offset);
        let days = local.div_euclid(86_400);
        let secs = local.rem_euclid(86_400) as u32;
        let (year, month, day) = civil_from_days(days);
        Civil {
            year,
            month,
            day,
            hour: secs / 3600,
            minute: secs / 60 % 60,
            second: secs % 60,
            weekday: (days + 4).rem_euclid(7) as usize,
            yday: (days - days_from_civil(year, 1, 1) + 1) as u32,
        }
    }

    /// Go's `Time.Format`.
    pub fn format(&self, layout: &str) -> String {
        let c = self.civil();
        let mut out = String::with_capacity(layout.len() + 10);
        let mut rest = layout;
        while !rest.is_empty() {
            let Some((prefix, token, after)) = next_token(rest) else {
                out.push_str(rest);
                break;
            };
            out.push_str(prefix);
            rest = after;
            match token {
                Token::LongMonth => out.push_str(MONTHS[c.month as usize - 1]),
                Token::Month => out.push_str(&MONTHS[c.month as usize - 1][..3]),
                Token::NumMonth => out.push_str(&c.month.to_string()),
                Token::ZeroMonth => out.push_str(&format!("{:02}", c.month)),
                Token::LongWeekDay => out.push_str(DAYS[c.weekday]),
                Token::WeekDay => out.push_str(&DAYS[c.weekday][..3]),
                Token::Day => out.push_str(&c.day.to_string()),
                Token::UnderDay => out.push_str(&format!("{:>2}", c.day)),
                Token::ZeroDay => out.push_str(&format!("{:02}", c.day)),
                Token::UnderYearDay => out.push_str(&format!("{:>3}", c.yday)),
                Token::ZeroYearDay => out.push_str(&format!("{:03}", c.yday)),
                Token::Hour => out.push_str(&format!("{:02}", c.hour)),
                Token::Hour12 => out.push_str(&hour12(c.hour).to_string()),
                Token::ZeroHour12 => out.push_str(&format!("{:02}", hour12(c.hour))),
                Token::Minute => out.push_str(&c.minute.to_string()),
                Token::ZeroMinute => out.push_str(&format!("{:02}", c.minute)),
                Token::Second => out.push_str(&c.second.to_string()),
                Token::ZeroSecond => out.push_str(&format!("{:02}", c.second)),
                Token::LongYear => out.push_str(&format!("{:04}", c.year)),
                Token::Year => out.push_str(&format!("{:02}", c.year.rem_euclid(100))),
                Token::PM => out.push_str(if c.hour >= 12 { "PM" } else { "AM" }),
                Token::Pm => out.push_str(if c.hour >= 12 { "pm" } else { "am" }),
                Token::Tz => {
                    if self.zone.is_empty() {
                        out.push_str(&offset_text(self.offset, false, false, true));
                    } else {
                        out.push_str(&self.zone);
                    }
                }
                Token::Offset { iso, colon, seconds, minutes } => {
                    if iso && self.offset == 0 {
                        out.push('Z');
                    } else {
                        let text = offset_text(self.offset, colon, seconds, minutes);
                        out.push_str(&text);
                    }
                }
                Token::Fraction { separator, digits, trim } => {
                    let all = format!("{:09}", self.nanos);
                    let mut frac = &all[..digits.min(9)];
                    if trim {
                        frac = frac.trim_end_matches('0');
                        if frac.is_empty() {
                            continue;
                        }
                    }
                    out.push(separator);
                    out.push_str(frac);
                }
            }
        }
        out
    }

    /// Go's `time.ParseInLocation` with `Local` being UTC.
    pub fn parse(layout: &str, value: &str) -> Result<GoTime, String> {
        let fail = |elem: &str, rest: &str, extra: &str| {
            format!("parsing time {value:?} as {layout:?}: cannot parse {rest:?} as {elem:?}{extra}")
        };
        let (mut year, mut month, mut day) = (1i64, 1u32, 1u32);
        let (mut hour, mut minute, mut second, mut nanos) = (0u32, 0u32, 0u32, 0u32);
        let mut pm: Option<bool> = None;
        let mut offset: Option<i32> = None;
        let mut zone_name: Option<String> = None;
        let mut yday: Option<u32> = None;
        let mut rest_layout = layout;
        let mut v = value;
        loop {
            let next = next_token(rest_layout);
            let (prefix, token, after, token_text) = match next {
                Some((p, t, a)) => {
                    let text = &rest_layout[p.len()..rest_layout.len() - a.len()];
                    (p, Some(t), a, text)
                }
                None => (rest_layout, None, "", ""),
            };
            v = v.strip_prefix(prefix).ok_or_else(|| fail(prefix, v, ""))?;
            let Some(token) = token else {
                if !v.is_empty() {
                    return Err(format!("parsing time {value:?}: extra text: {v:?}"));
                }
                break;
            };
            rest_layout = after;
            let elem = token_text;
            match token {
                Token::LongYear => {
                    if v.len() < 4 || !v.as_bytes()[..4].iter().all(u8::is_ascii_digit) {
                        return Err(fail(elem, v, ""));
                    }
                    year = v[..4].parse().unwrap_or(0);
                    v = &v[4..];
                }
                Token::Year => {
                    let (n, r) = fixed_digits(v, 2).ok_or_else(|| fail(elem, v, ""))?;
                    year = i64::from(n) + if n >= 69 { 1900 } else { 2000 };
                    v = r;
                }
                Token::LongMonth | Token::Month => {
                    let long = token == Token::LongMonth;
                    let found = MONTHS.iter().enumerate().find_map(|(i, name)| {
                        let name = if long { *name } else { &name[..3] };
                        starts_with_ignore_case(v, name).then_some((i, name.len()))
                    });
                    let (i, len) = found.ok_or_else(|| fail(elem, v, ""))?;
                    month = i as u32 + 1;
                    v = &v[len..];
                }
                Token::LongWeekDay | Token::WeekDay => {
                    let long = token == Token::LongWeekDay;
                    let len = DAYS
                        .iter()
                        .map(|name| if long { *name } else { &name[..3] })
                        .find(|name| starts_with_ignore_case(v, name))
                        .map(str::len)
                        .ok_or_else(|| fail(elem, v, ""))?;
                    v = &v[len..];
                }
                Token::NumMonth | Token::ZeroMonth => {
                    let (n, r) = number(v, token == Token::ZeroMonth).ok_or_else(|| fail(elem, v, ""))?;
                    if !(1..=12).contains(&n) {
                        return Err(format!("parsing time {value:?}: month out of range"));
                    }
                    month = n;
                    v = r;
                }
                Token::Day | Token::UnderDay | Token::ZeroDay => {
                    if token == Token::UnderDay {
                        v = v.strip_prefix(' ').unwrap_or(v);
                    }
                    let (n, r) = number(v, token == Token::ZeroDay).ok_or_else(|| fail(elem, v, ""))?;
                    day = n;
                    v = r;
                }
                Token::UnderYearDay | Token::ZeroYearDay => {
                    let trimmed = if token == Token::UnderYearDay { v.trim_start_matches(' ') } else { v };
                    let (n, r) = fixed_digits(trimmed, 3).ok_or_else(|| fail(elem, v, ""))?;
                    yday = Some(n);
                    v = r;
                }
                Token::Hour => {
                    let (n, r) = number(v, false).ok_or_else(|| fail(elem, v, ""))?;
                    if n > 23 {
                        return Err(format!("parsing time {value:?}: hour out of range"));
                    }
                    hour = n;
                    v = r;
                }
                Token::Hour12 | Token::ZeroHour12 => {
                    let (n, r) = number(v, token == Token::ZeroHour12).ok_or_else(|| fail(elem, v, ""))?;
                    if n > 12 {
                        return Err(format!("parsing time {value:?}: hour out of range"));
                    }
                    hour = n;
                    v = r;
                }
                Token::Minute | Token::ZeroMinute => {
                    let (n, r) = number(v, token == Token::ZeroMinute).ok_or_else(|| fail(elem, v, ""))?;
                    if n > 59 {
                        return Err(format!("parsing time {value:?}: minute out of range"));
                    }
                    minute = n;
                    v = r;
                }
                Token::Second | Token::ZeroSecond => {
                    let (n, r) = number(v, token == Token::ZeroSecond).ok_or_else(|| fail(elem, v, ""))?;
                    if n > 59 {
                        return Err(format!("parsing time {value:?}: second out of range"));
                    }
                    second = n;
                    v = r;
                    // Go accepts a fraction after the seconds even when the layout has none.
                    let layout_has_fraction = matches!(next_token(rest_layout), Some(("", Token::Fraction { .. }, _)));
                    if !layout_has_fraction
                        && v.len() >= 2
                        && matches!(v.as_bytes()[0], b'.' | b',')
                        && v.as_bytes()[1].is_ascii_digit()
                    {
                        let len = 1 + v[1..].bytes().take_while(u8::is_ascii_digit).count();
                        nanos = fraction_nanos(&v[1..len]);
                        v = &v[len..];
                    }
                }
                Token::PM | Token::Pm => {
                    let word = v.get(..2).ok_or_else(|| fail(elem, v, ""))?;
                    pm = Some(match word.to_ascii_uppercase().as_str() {
                        "PM" => true,
                        "AM" => false,
                        _ => return Err(fail(elem, v, "")),
                    });
                    v = &v[2..];
                }
                Token::Offset { iso, colon, seconds, minutes } => {
                    if iso && v.starts_with('Z') {
                        offset = Some(0);
                        zone_name = Some("UTC".into());
                        v = &v[1..];
                    } else {
                        let (off, r) = parse_offset(v, colon, seconds, minutes).ok_or_else(|| fail(elem, v, ""))?;
                        offset = Some(off);
                        v = r;
                    }
                }
                Token::Tz => {
                    let len = v.bytes().take_while(u8::is_ascii_uppercase).count();
                    if len < 3 {
                        return Err(fail(elem, v, ""));
                    }
                    zone_name = Some(v[..len].to_string());
                    v = &v[len..];
                }
                Token::Fraction { digits, trim, .. } => {
                    if v.len() < 2 || !matches!(v.as_bytes()[0], b'.' | b',') {
                        if trim {
                            continue;
                        }
                        return Err(fail(elem, v, ""));
                    }
                    let count = v[1..].bytes().take_while(u8::is_ascii_digit).count();
                    if !trim && count != digits {
                        return Err(fail(elem, v, ""));
                    }
                    nanos = fraction_nanos(&v[1..1 + count]);
                    v = &v[1 + count..];
                }
            }
        }
        if let Some(is_pm) = pm {
            if is_pm && hour < 12 {
                hour += 12;
            } else if !is_pm && hour == 12 {
                hour = 0;
            }
        }
        if let Some(yd) = yday {
            let days = days_from_civil(year, 1, 1) + i64::from(yd) - 1;
            let (_, m, d) = civil_from_days(days);
            month = m;
            day = d;
        }
        if day < 1 || day > days_in_month(year, month) {
            return Err(format!("parsing time {value:?}: day out of range"));
        }
        let local = days_from_civil(year, month, day) * 86_400 + i64::from(hour * 3600 + minute * 60 + second);
        let (offset, zone) = match (offset, zone_name) {
            (Some(0), _) => (0, "UTC".to_string()),
            (Some(off), _) => (off, String::new()),
            // A zone abbreviation Go cannot resolve gets offset zero and keeps its name.
            (None, Some(name)) => (0, name),
            (None, None) => (0, "UTC".to_string()),
        };
        Ok(GoTime { unix: local - i64::from(offset), nanos, offset, zone: zone.into() })
    }
}

/// ASCII case-insensitive prefix test that never slices inside a character.
fn starts_with_ignore_case(value: &str, prefix: &str) -> bool {
    value.as_bytes().get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix.as_bytes()))
}

fn hour12(hour: u32) -> u32 {
    match hour % 12 {
        0 => 12,
        h => h,
    }
}

fn fraction_nanos(digits: &str) -> u32 {
    let mut padded: String = digits.chars().take(9).collect();
    while padded.len() < 9 {
        padded.push('0');
    }
    padded.parse().unwrap_or(0)
}

/// One or two digits (exactly two when `fixed`).
fn number(v: &str, fixed: bool) -> Option<(u32, &str)> {
    let bytes = v.as_bytes();
    if !bytes.first()?.is_ascii_digit() {
        return None;
    }
    if bytes.get(1).is_some_and(u8::is_ascii_digit) {
        return Some((v[..2].parse().ok()?, &v[2..]));
    }
    if fixed {
        return None;
    }
    Some((u32::from(bytes[0] - b'0'), &v[1..]))
}

fn fixed_digits(v: &str, count: usize) -> Option<(u32, &str)> {
    if v.len() < count || !v.as_bytes()[..count].iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some((v[..count].parse().ok()?, &v[count..]))
}

fn parse_offset(v: &str, colon: bool, seconds: bool, minutes: bool) -> Option<(i32, &str)> {
    let sign = match v.as_bytes().first()? {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let mut rest = &v[1..];
    let (h, r) = fixed_digits(rest, 2)?;
    rest = r;
    let mut total = h * 3600;
    for (wanted, scale) in [(minutes, 60), (seconds, 1)] {
        if !wanted {
            continue;
        }
        if colon {
            rest = rest.strip_prefix(':')?;
        }
        let (n, r) = fixed_digits(rest, 2)?;
        total += n * scale;
        rest = r;
    }
    Some((sign * total as i32, rest))
}

fn offset_text(offset: i32, colon: bool, seconds: bool, minutes: bool) -> String {
    let sign = if offset < 0 { '-' } else { '+' };
    let abs = offset.unsigned_abs();
    let mut out = format!("{sign}{:02}", abs / 3600);
    if minutes {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs / 60 % 60));
    }
    if seconds {
        if colon {
            out.push(':');
        }
        out.push_str(&format!("{:02}", abs % 60));
    }
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Token {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Offset { iso: bool, colon: bool, seconds: bool, minutes: bool },
    Fraction { separator: char, digits: usize, trim: bool },
}

/// Go's `nextStdChunk`: the literal text before the next layout element, the element, and the rest.
fn next_token(layout: &str) -> Option<(&str, Token, &str)> {
    let b = layout.as_bytes();
    let at = |i: usize, s: &str| layout.get(i..).is_some_and(|r| r.starts_with(s));
    for i in 0..b.len() {
        let found: Option<(Token, usize)> = match b[i] {
            b'J' if at(i, "January") => Some((Token::LongMonth, 7)),
            b'J' if at(i, "Jan") => Some((Token::Month, 3)),
            b'M' if at(i, "Monday") => Some((Token::LongWeekDay, 6)),
            b'M' if at(i, "Mon") => Some((Token::WeekDay, 3)),
            b'M' if at(i, "MST") => Some((Token::Tz, 3)),
            b'0' if at(i, "002") => Some((Token::ZeroYearDay, 3)),
            b'0' if i + 1 < b.len() && (b'1'..=b'6').contains(&b[i + 1]) => Some((
                match b[i + 1] {
                    b'1' => Token::ZeroMonth,
                    b'2' => Token::ZeroDay,
                    b'3' => Token::ZeroHour12,
                    b'4' => Token::ZeroMinute,
                    b'5' => Token::ZeroSecond,
                    _ => Token::Year,
                },
                2,
            )),
            b'1' if at(i, "15") => Some((Token::Hour, 2)),
            b'1' => Some((Token::NumMonth, 1)),
            b'2' if at(i, "2006") => Some((Token::LongYear, 4)),
            b'2' => Some((Token::Day, 1)),
            b'_' if at(i, "_2006") => {
                // "_" is literal; the year follows.
                return Some((&layout[..i + 1], Token::LongYear, &layout[i + 5..]));
            }
            b'_' if at(i, "__2") => Some((Token::UnderYearDay, 3)),
            b'_' if at(i, "_2") => Some((Token::UnderDay, 2)),
            b'3' => Some((Token::Hour12, 1)),
            b'4' => Some((Token::Minute, 1)),
            b'5' => Some((Token::Second, 1)),
            b'P' if at(i, "PM") => Some((Token::PM, 2)),
            b'p' if at(i, "pm") => Some((Token::Pm, 2)),
            b'-' | b'Z' => {
                let iso = b[i] == b'Z';
                let body = &layout[i + 1..];
                [
                    ("070000", false, true, true, 7),
                    ("07:00:00", true, true, true, 9),
                    ("0700", false, false, true, 5),
                    ("07:00", true, false, true, 6),
                    ("07", false, false, false, 3),
                ]
                .iter()
                .find(|(pat, ..)| body.starts_with(pat))
                .map(|(_, colon, seconds, minutes, len)| {
                    (Token::Offset { iso, colon: *colon, seconds: *seconds, minutes: *minutes }, *len)
                })
            }
            b'.' | b',' if i + 1 < b.len() && matches!(b[i + 1], b'0' | b'9') => {
                let digit = b[i + 1];
                let run = b[i + 1..].iter().take_while(|c| **c == digit).count();
                let end = i + 1 + run;
                if end < b.len() && b[end].is_ascii_digit() {
                    None
                } else {
                    Some((Token::Fraction { separator: b[i] as char, digits: run, trim: digit == b'9' }, run + 1))
                }
            }
            _ => None,
        };
        if let Some((token, len)) = found {
            return Some((&layout[..i], token, &layout[i + len..]));
        }
    }
    None
}

impl Object for GoTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn field(&self, name: &str) -> Option<Value> {
        let c = self.civil();
        Some(match name {
            "Unix" => Value::Int64(self.unix),
            "UnixNano" => Value::Int64(self.unix_nanos()),
            "UnixMilli" => Value::Int64(self.unix.saturating_mul(1000) + i64::from(self.nanos / 1_000_000)),
            "Year" => Value::Int(c.year),
            // Go's time.Month and time.Weekday print their names.
            "Month" => Value::str(MONTHS[c.month as usize - 1]),
            "Weekday" => Value::str(DAYS[c.weekday]),
            "Day" => Value::Int(i64::from(c.day)),
            "YearDay" => Value::Int(i64::from(c.yday)),
            "Hour" => Value::Int(i64::from(c.hour)),
            "Minute" => Value::Int(i64::from(c.minute)),
            "Second" => Value::Int(i64::from(c.second)),
            "Nanosecond" => Value::Int(i64::from(self.nanos)),
            "IsZero" => Value::Bool(self.unix == GoTime::zero().unix && self.nanos == 0),
            "UTC" | "Local" => self.to_utc().into_value(),
            "String" => Value::str(self.format_v()),
            // Read back by the date functions to rebuild the value; no template can name these.
            OFFSET_FIELD => Value::Int(i64::from(self.offset)),
            ZONE_FIELD => Value::str(&*self.zone),
            _ => return None,
        })
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Option<Result<Value, String>> {
        let result = match name {
            "Format" => match args.first() {
                Some(Value::String(layout)) => Ok(Value::str(self.format(layout))),
                _ => Err("wrong type for value; expected string".to_string()),
            },
            "Add" => match args.first() {
                Some(Value::Int(d) | Value::Int64(d)) => Ok(self.add_nanos(*d).into_value()),
                _ => Err("wrong type for value; expected time.Duration".to_string()),
            },
            _ => return self.field(name).filter(|_| !name.starts_with('#')).map(Ok),
        };
        Some(result)
    }

    fn format_v(&self) -> String {
        self.format("2006-01-02 15:04:05.999999999 -0700 MST")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::template::funcs::sprig::test_support::call;

    fn s(v: &str) -> Value {
        Value::str(v)
    }

    fn to_date(layout: &str, value: &str) -> Value {
        call("toDate", &[s(layout), s(value)]).unwrap()
    }

    #[test]
    fn results_observed_in_helm() {
        let dec31 = to_date("2006-01-02", "2017-12-31");
        let cases: Vec<(&str, Vec<Value>, &str)> = vec![
            ("toDate", vec![s("2006-01-02"), s("2017-12-31")], "2017-12-31 00:00:00 +0000 UTC"),
            ("toDate", vec![s("2006-01-02"), s("bad")], "0001-01-01 00:00:00 +0000 UTC"),
            (
                "toDate",
                vec![s("2006-01-02T15:04:05Z07:00"), s("2020-05-06T07:08:09+02:00")],
                "2020-05-06 07:08:09 +0200 +0200",
            ),
            (
                "toDate",
                vec![s("2006-01-02 15:04:05.000"), s("2017-12-31 13:05:09.120")],
                "2017-12-31 13:05:09.12 +0000 UTC",
            ),
            ("unixEpoch", vec![dec31.clone()], "1514678400"),
            ("date", vec![s("2006-01-02T15:04:05Z07:00"), Value::Int(0)], "1970-01-01T00:00:00Z"),
            ("htmlDate", vec![Value::Int(86400)], "1970-01-02"),
            ("htmlDateInZone", vec![Value::Int(0), s("UTC")], "1970-01-01"),
            ("dateModify", vec![s("1.5h"), dec31.clone()], "2017-12-31 01:30:00 +0000 UTC"),
            ("dateModify", vec![s("-1.5h"), dec31.clone()], "2017-12-30 22:30:00 +0000 UTC"),
            ("dateModify", vec![s("bad"), dec31.clone()], "2017-12-31 00:00:00 +0000 UTC"),
            ("duration", vec![Value::Int(95)], "0s"),
            ("duration", vec![Value::Int64(95)], "1m35s"),
            ("duration", vec![s("3700")], "1h1m40s"),
            ("duration", vec![s("0")], "0s"),
            ("duration", vec![s("59")], "59s"),
            ("duration", vec![s("86401")], "24h0m1s"),
            ("duration", vec![Value::Int64(-3)], "-3s"),
            ("durationRound", vec![s("2h10m")], "2h"),
            ("durationRound", vec![s("-3h")], "3h"),
            ("durationRound", vec![s("1h1m")], "1h"),
            ("durationRound", vec![Value::Int64(1_500_000_000)], "1s"),
            ("durationRound", vec![s("400h")], "16d"),
            (
                "dateInZone",
                vec![s("2006-01-02 15:04 MST -07:00"), Value::Int(1_500_000_000), s("Bad/Zone")],
                "2017-07-14 02:40 UTC +00:00",
            ),
            ("dateInZone", vec![s("2006-01-02 15:04:05 MST"), dec31.clone(), s("UTC")], "2017-12-31 00:00:00 UTC"),
        ];
        for (name, args, want) in cases {
            let got = call(name, &args).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(got.format_v(), want, "{name} {args:?}");
        }
    }

    #[test]
    fn go_layouts_parse_like_go() {
        let cases = [
            ("Jan 2, 2006 at 3:04pm (MST)", "Feb 3, 2013 at 7:54pm (PST)", "2013-02-03 19:54:00 +0000 PST"),
            ("2006-01-02T15:04:05.000Z", "2017-12-31T13:05:09.123Z", "2017-12-31 13:05:09.123 +0000 UTC"),
            ("2006-01-02 15:04:05 MST", "2017-12-31 13:05:09 UTC", "2017-12-31 13:05:09 +0000 UTC"),
            ("2006-01-02T15:04:05Z07:00", "2017-12-31T13:05:09Z", "2017-12-31 13:05:09 +0000 UTC"),
            ("2006-01-02T15:04:05Z07:00", "2017-12-31T13:05:09+00:00", "2017-12-31 13:05:09 +0000 UTC"),
            ("02/01/06 15:04", "31/12/17 13:05", "2017-12-31 13:05:00 +0000 UTC"),
            ("2006-01-02", "2017-02-30", "0001-01-01 00:00:00 +0000 UTC"),
            ("2006-01-02", "2017-12-31 extra", "0001-01-01 00:00:00 +0000 UTC"),
            ("Monday, 02-Jan-06 15:04:05 MST", "Sunday, 31-Dec-17 13:05:09 CET", "2017-12-31 13:05:09 +0000 CET"),
        ];
        for (layout, value, want) in cases {
            assert_eq!(to_date(layout, value).format_v(), want, "{layout} {value}");
        }
        let Value::Object(t) = to_date("2006-01-02T15:04:05Z07:00", "2020-05-06T07:08:09.5+02:00") else { panic!() };
        let got = t.call_method("Format", &[s("2006-01-02T15:04:05.000000Z07:00 Mon Jan")]).unwrap().unwrap();
        assert_eq!(got.as_str(), Some("2020-05-06T07:08:09.500000+02:00 Wed May"));
        let precise = to_date("2006-01-02T15:04:05.999999999", "2020-05-06T07:08:09.120000001");
        let got = call("date", &[s("15:04:05.000000000 .99 ,9"), precise]).unwrap();
        assert_eq!(got.as_str(), Some("07:08:09.120000001 .12 ,1"));
    }

    #[test]
    fn go_layouts_format_like_go() {
        let t = to_date("2006-01-02 15:04:05", "2017-12-31 13:05:09");
        let Value::Object(t) = t else { panic!() };
        let got = t.call_method("Format", &[s("Jan _2 06 3:4:5 pm Z07 -07:00:00 .999 ,000000")]).unwrap().unwrap();
        assert_eq!(got.as_str(), Some("Dec 31 17 1:5:9 pm Z +00:00:00  ,000000"));
        let march = to_date("2006-01-02", "2017-03-05");
        let got = call("date", &[s("Monday January 2 _2 002 __2 3PM"), march]).unwrap();
        assert_eq!(got.as_str(), Some("Sunday March 5  5 064  64 12AM"));
    }

    #[test]
    fn now_is_fixed_and_a_time() {
        let t = call("now", &[]).unwrap();
        assert_eq!(t.type_name(), "time.Time");
        if std::env::var(NOW_ENV).is_err() {
            assert_eq!(t.format_v(), "2000-01-01 00:00:00 +0000 UTC");
            assert_eq!(call("date", &[s("2006"), s("notadate")]).unwrap().as_str(), Some("2000"));
            let ago = call("ago", &[to_date("2006-01-02", "1999-12-31")]).unwrap();
            assert_eq!(ago.as_str(), Some("24h0m0s"));
        }
    }

    #[test]
    fn must_variants_report_errors() {
        let err = call("mustToDate", &[s("2006-01-02"), s("bad")]).unwrap_err();
        assert_eq!(err.0, r#"parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006""#);
        let dec31 = to_date("2006-01-02", "2017-12-31");
        assert_eq!(call("mustDateModify", &[s("bad"), dec31]).unwrap_err().0, r#"time: invalid duration "bad""#);
    }

    #[test]
    fn durations_print_like_go() {
        let cases = [
            (1_500_000_000, "1.5s"),
            (7_200_000_000_000, "2h0m0s"),
            (1_500_000, "1.5ms"),
            (500, "500ns"),
            (2_000, "2µs"),
        ];
        for (nanos, want) in cases {
            assert_eq!(format_duration(nanos), want);
        }
        assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
        assert_eq!(parse_duration(".5s"), Ok(500_000_000));
        assert_eq!(parse_duration("1"), Err(r#"time: missing unit in duration "1""#.to_string()));
    }
}
