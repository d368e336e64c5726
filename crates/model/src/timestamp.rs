//! Times: whole seconds since the Unix epoch, UTC. RFC 3339 in JSON, an integer in CBOR.

use std::fmt;
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime, UtcOffset};

/// A point in time, to the second, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timestamp(pub i64);

/// Earliest accepted time: 1970-01-01T00:00:00Z.
pub const MIN: Timestamp = Timestamp(0);
/// Latest accepted time: 9999-12-31T23:59:59Z.
pub const MAX: Timestamp = Timestamp(253_402_300_799);

/// Why a string is not an accepted time.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeError {
    /// Not RFC 3339.
    #[error("not an RFC 3339 time such as 2026-03-02T06:00:00Z")]
    Syntax,
    /// Has a fraction of a second; times are kept to the second.
    #[error("fractions of a second are not kept: give whole seconds")]
    Fraction,
    /// Outside 1970..=9999.
    #[error("outside the accepted range 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z")]
    Range,
    /// Not a full date `YYYY-MM-DD`.
    #[error("not a full date YYYY-MM-DD")]
    Date,
}

impl Timestamp {
    /// Parse RFC 3339 (any offset; converted to UTC). Fractions of a second are refused
    /// rather than silently dropped.
    pub fn parse_rfc3339(s: &str) -> Result<Self, TimeError> {
        let t = OffsetDateTime::parse(s, &Rfc3339).map_err(|_| TimeError::Syntax)?;
        if t.nanosecond() != 0 {
            return Err(TimeError::Fraction);
        }
        Self::from_unix(t.unix_timestamp()).ok_or(TimeError::Range)
    }

    /// From seconds since the epoch, if within range.
    pub fn from_unix(secs: i64) -> Option<Self> {
        (MIN.0..=MAX.0).contains(&secs).then_some(Timestamp(secs))
    }

    /// The clock's time, truncated to the second. (Reads the clock: callers outside the
    /// pure crates only.)
    pub fn from_offset_datetime(t: OffsetDateTime) -> Option<Self> {
        Self::from_unix(t.unix_timestamp())
    }

    /// RFC 3339 in UTC with a `Z`, e.g. `2026-03-02T06:00:00Z`.
    pub fn to_rfc3339(self) -> String {
        match OffsetDateTime::from_unix_timestamp(self.0) {
            Ok(t) => {
                let t = t.to_offset(UtcOffset::UTC);
                format!(
                    "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
                    t.year(),
                    u8::from(t.month()),
                    t.day(),
                    t.hour(),
                    t.minute(),
                    t.second()
                )
            }
            Err(_) => format!("@{}", self.0),
        }
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_rfc3339())
    }
}

/// Check a full date `YYYY-MM-DD` (as in `audit.date`) and return it unchanged.
pub fn parse_date(s: &str) -> Result<String, TimeError> {
    let b = s.as_bytes();
    let shape_ok = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape_ok {
        return Err(TimeError::Date);
    }
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = Date::parse(s, &fmt).map_err(|_| TimeError::Date)?;
    if d.year() < 1970 {
        return Err(TimeError::Range);
    }
    Ok(s.to_string())
}

/// Where "now" comes from. The pure crates never read the clock: whoever needs the current
/// time (the server, the CLI) is given a `Clock` and passes the time on as a value. The
/// system clock is `catchcert_server::clock::SystemClock`; tests use [`FixedClock`].
pub trait Clock: Send + Sync + fmt::Debug {
    /// The time now, to the second, within [`MIN`]..=[`MAX`].
    fn now(&self) -> Timestamp;
}

/// A clock that always answers the same time (tests, reproducible runs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedClock(pub Timestamp);

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_fixed_clock_answers_its_time() {
        let t = Timestamp(1_772_431_200);
        let clock: &dyn Clock = &FixedClock(t);
        assert_eq!(clock.now(), t);
        assert_eq!(clock.now(), t);
    }

    #[test]
    fn parses_and_normalises_to_utc() {
        let t = Timestamp::parse_rfc3339("2026-03-02T08:00:00+02:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2026-03-02T06:00:00Z");
        assert_eq!(t, Timestamp::parse_rfc3339("2026-03-02T06:00:00Z").unwrap());
    }

    #[test]
    fn rejects_fractions_garbage_and_range() {
        assert_eq!(
            Timestamp::parse_rfc3339("2026-03-02T06:00:00.5Z"),
            Err(TimeError::Fraction)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("2026-03-02"),
            Err(TimeError::Syntax)
        );
        assert_eq!(
            Timestamp::parse_rfc3339("1969-12-31T23:59:59Z"),
            Err(TimeError::Range)
        );
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2026-02-28").unwrap(), "2026-02-28");
        assert!(parse_date("2026-02-30").is_err());
        assert!(parse_date("2026-2-28").is_err());
        assert!(parse_date("+2026-02-28").is_err());
    }
}
