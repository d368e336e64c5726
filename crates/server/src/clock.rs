//! The system clock: the one place outside tests that reads the time of day. The server's
//! state and the CLI are both given a [`Clock`]; everything below them gets the time as a
//! value.

use catchcert_model::Timestamp;
use catchcert_model::timestamp::{self, Clock};

/// The operating system's clock, to the second. A clock before 1970 reads as 1970-01-01
/// and one after 9999 as 9999-12-31T23:59:59Z (the accepted range of [`Timestamp`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let secs = match std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_secs()).unwrap_or(i64::MAX),
            Err(_) => 0,
        };
        Timestamp::from_unix(secs).unwrap_or(timestamp::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_clock_is_after_this_code_was_written() {
        let now = SystemClock.now();
        assert!(now > Timestamp(1_767_225_600), "{now:?}"); // 2026-01-01
        assert!(now < timestamp::MAX);
    }
}
