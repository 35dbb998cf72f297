//! Points in time on the command line (`tail --since`, `replay --since/--until`) and in the
//! tools' output.

use std::str::FromStr;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A point in time: RFC 3339 (`2026-12-01T15:00:00Z`, `2026-12-01T22:00:00+07:00`, or a date
/// alone, `2026-12-01`, meaning its midnight UTC), milliseconds since the epoch
/// (`1764601200000`), or a span before now (`10m`, `2h`, `1day`, `90s ago`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeArg(pub SystemTime);

impl TimeArg {
    /// Milliseconds since the epoch, as Kafka timestamps are.
    pub fn millis(self) -> i64 {
        millis(self.0)
    }
}

impl FromStr for TimeArg {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        parse(text.trim(), SystemTime::now()).map(TimeArg)
    }
}

const HELP: &str = "expected RFC 3339 (2026-12-01T15:00:00Z, 2026-12-01T22:00:00+07:00, \
                    2026-12-01), milliseconds since the epoch, or a span ago (10m, 2h, 1day)";

fn parse(text: &str, now: SystemTime) -> Result<SystemTime, String> {
    if text.is_empty() {
        return Err(HELP.to_owned());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) {
        let ms: u64 = text.parse().map_err(|_| HELP.to_owned())?;
        return Ok(UNIX_EPOCH + Duration::from_millis(ms));
    }
    if let Ok(ago) = humantime::parse_duration(text.strip_suffix(" ago").unwrap_or(text)) {
        return now
            .checked_sub(ago)
            .ok_or_else(|| format!("{text:?} is before the epoch"));
    }
    let bytes = text.as_bytes();
    if bytes.len() == "2026-12-01".len() && bytes[4] == b'-' && bytes[7] == b'-' {
        return humantime::parse_rfc3339(&format!("{text}T00:00:00Z"))
            .map_err(|e| format!("{text:?}: {e}; {HELP}"));
    }
    // humantime reads UTC only: a numeric offset is applied by hand.
    let (local, offset) = split_offset(text);
    let local = humantime::parse_rfc3339_weak(local.trim_end_matches('Z'))
        .map_err(|e| format!("{text:?}: {e}; {HELP}"))?;
    let utc = if offset >= 0 {
        local.checked_sub(Duration::from_secs(offset.unsigned_abs()))
    } else {
        local.checked_add(Duration::from_secs(offset.unsigned_abs()))
    };
    utc.ok_or_else(|| format!("{text:?} is out of range"))
}

/// `2026-12-01T22:00:00+07:00` → (`2026-12-01T22:00:00`, +25200 s).
fn split_offset(text: &str) -> (&str, i64) {
    if text.len() > 6 {
        let (local, suffix) = text.split_at(text.len() - 6);
        let b = suffix.as_bytes();
        if (b[0] == b'+' || b[0] == b'-') && b[3] == b':' && local.len() >= 19 {
            if let (Ok(hours), Ok(minutes)) =
                (suffix[1..3].parse::<i64>(), suffix[4..].parse::<i64>())
            {
                let seconds = hours * 3600 + minutes * 60;
                return (local, if b[0] == b'-' { -seconds } else { seconds });
            }
        }
    }
    (text, 0)
}

/// Milliseconds since the epoch (0 before it).
pub fn millis(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// `2026-12-01T15:00:00.123Z` for milliseconds since the epoch.
pub fn rfc3339_millis(ms: i64) -> String {
    let time = UNIX_EPOCH + Duration::from_millis(u64::try_from(ms).unwrap_or(0));
    humantime::format_rfc3339_millis(time).to_string()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        let now = UNIX_EPOCH + Duration::from_secs(1_764_601_200); // 2025-12-01T15:00:00Z
        millis(parse(text, now).expect(text))
    }

    #[test]
    fn reads_every_form() {
        assert_eq!(at("2025-12-01T15:00:00Z"), 1_764_601_200_000);
        assert_eq!(at("2025-12-01T15:00:00.250Z"), 1_764_601_200_250);
        assert_eq!(at("2025-12-01 15:00:00"), 1_764_601_200_000);
        assert_eq!(at("2025-12-01T22:00:00+07:00"), 1_764_601_200_000);
        assert_eq!(at("2025-12-01T10:30:00-04:30"), 1_764_601_200_000);
        assert_eq!(at("2025-12-01"), 1_764_547_200_000);
        assert_eq!(at("1764601200000"), 1_764_601_200_000);
        assert_eq!(at("10m"), 1_764_601_200_000 - 600_000);
        assert_eq!(at("2h 30m"), 1_764_601_200_000 - 9_000_000);
        assert_eq!(at("1day ago"), 1_764_601_200_000 - 86_400_000);
        for bad in ["", "yesterday", "2025-13-01", "12:00"] {
            assert!(parse(bad, SystemTime::now()).is_err(), "{bad}");
        }
    }

    #[test]
    fn formats_utc_with_milliseconds() {
        assert_eq!(
            rfc3339_millis(1_764_601_200_250),
            "2025-12-01T15:00:00.250Z"
        );
    }
}
