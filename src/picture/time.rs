//! Timestamps of history events and the short durations shown on the pictures.

use serde_json::Value;

/// Seconds since the Unix epoch from a history event's `timestamp`: a number of seconds
/// (what the AWS SDKs' JSON gives) or an RFC 3339 string (`2024-05-01T12:00:00.250Z`,
/// `...+02:00`). Anything else is `None`.
pub(crate) fn parse_timestamp(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64().filter(|f| f.is_finite()),
        Value::String(s) => {
            let s = s.trim();
            if let Ok(f) = s.parse::<f64>() {
                return Some(f).filter(|f| f.is_finite());
            }
            rfc3339(s)
        }
        _ => None,
    }
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`, `T` or a space between date and time.
fn rfc3339(s: &str) -> Option<f64> {
    if s.len() < 19 || !s.is_char_boundary(10) || !s.is_char_boundary(19) {
        return None;
    }
    let (date, rest) = s.split_at(10);
    let sep = rest.as_bytes().first().copied()?;
    if !matches!(sep, b'T' | b't' | b' ') {
        return None;
    }
    let time = rest.get(1..9)?;
    let mut tail = rest.get(9..)?;
    let mut d = date.split('-');
    let (y, mo, da) = (digits(d.next()?)?, digits(d.next()?)?, digits(d.next()?)?);
    let mut t = time.split(':');
    let (h, mi, se) = (digits(t.next()?)?, digits(t.next()?)?, digits(t.next()?)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let mut frac = 0.0;
    if let Some(f) = tail.strip_prefix('.') {
        let end = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
        let (num, after) = f.split_at(end);
        if num.is_empty() {
            return None;
        }
        frac = format!("0.{num}").parse::<f64>().ok()?;
        tail = after;
    }
    let offset = match tail {
        "Z" | "z" | "" => 0,
        _ => {
            let sign = match tail.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            let body = tail.get(1..)?;
            let (oh, om) = body.split_once(':').unwrap_or((body, "00"));
            sign * (digits(oh)? * 3600 + digits(om)? * 60)
        }
    };
    let days = days_from_civil(y, mo, da);
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - offset;
    Some(secs as f64 + frac)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// A duration in the largest fitting units: `250ms`, `1.5s`, `12s`, `2m30s`, `1h`, `1h5m`,
/// `2d3h`. Negative or non-finite input reads as zero.
pub(crate) fn format_duration(secs: f64) -> String {
    let secs = if secs.is_finite() && secs > 0.0 {
        secs
    } else {
        0.0
    };
    if secs < 1.0 {
        let ms = (secs * 1000.0).round() as u64;
        if ms < 1000 {
            return format!("{ms}ms");
        }
    }
    if secs < 59.95 {
        let tenths = (secs * 10.0).round() as u64;
        return if tenths % 10 == 0 {
            format!("{}s", tenths / 10)
        } else {
            format!("{}.{}s", tenths / 10, tenths % 10)
        };
    }
    let total = secs.round() as u64;
    let two = |big: u64, big_unit: &str, small: u64, small_unit: &str| {
        if small == 0 {
            format!("{big}{big_unit}")
        } else {
            format!("{big}{big_unit}{small}{small_unit}")
        }
    };
    if total < 3600 {
        two(total / 60, "m", total % 60, "s")
    } else if total < 86_400 {
        let minutes = (total + 30) / 60;
        if minutes >= 1440 {
            return "1d".to_string();
        }
        two(minutes / 60, "h", minutes % 60, "m")
    } else {
        let hours = (total + 1800) / 3600;
        two(hours / 24, "d", hours % 24, "h")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn durations() {
        let cases = [
            (0.25, "250ms"),
            (0.0, "0ms"),
            (-3.0, "0ms"),
            (f64::NAN, "0ms"),
            (0.9996, "1s"),
            (1.5, "1.5s"),
            (12.0, "12s"),
            (59.96, "1m"),
            (150.0, "2m30s"),
            (3600.0, "1h"),
            (3900.0, "1h5m"),
            (86_399.0, "1d"),
            (86_400.0 * 2.0 + 3.0 * 3600.0, "2d3h"),
        ];
        for (secs, want) in cases {
            assert_eq!(format_duration(secs), want, "{secs}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(parse_timestamp(&json!(1.5)), Some(1.5));
        assert_eq!(parse_timestamp(&json!("1970-01-01T00:00:01Z")), Some(1.0));
        assert_eq!(
            parse_timestamp(&json!("2024-05-01T12:00:00.250Z")),
            Some(1_714_564_800.25)
        );
        assert_eq!(
            parse_timestamp(&json!("2024-05-01T14:00:00+02:00")),
            Some(1_714_564_800.0)
        );
        assert_eq!(parse_timestamp(&json!("yesterday")), None);
        assert_eq!(parse_timestamp(&json!("2024-05-01T1ä:00:00Z")), None);
        assert_eq!(parse_timestamp(&json!("2024-13-01T00:00:00Z")), None);
        assert_eq!(parse_timestamp(&json!(null)), None);
    }
}
