//! Timestamps in the shapes dumps use, to Unix seconds.

use chrono::{DateTime, NaiveDateTime};

/// Parse epoch seconds (integer, float or numeric string), RFC 3339,
/// `YYYY-MM-DD HH:MM:SS` (taken as UTC), RFC 2822, or Twitter's
/// `Tue Mar 24 10:45:36 +0000 2015`. Unknown shapes give `None`.
pub fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(v) = s.parse::<i64>() {
        return Some(v);
    }
    if let Ok(v) = s.parse::<f64>() {
        return v.is_finite().then_some(v as i64);
    }
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.timestamp());
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(s, f) {
            return Some(d.and_utc().timestamp());
        }
    }
    if let Ok(d) = DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y") {
        return Some(d.timestamp());
    }
    if let Ok(d) = DateTime::parse_from_rfc2822(s) {
        return Some(d.timestamp());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn shapes() {
        assert_eq!(parse("1526313668"), Some(1526313668));
        assert_eq!(parse("1526313668.0"), Some(1526313668));
        assert_eq!(parse("2010-10-16 20:53:18"), Some(1287262398));
        assert_eq!(parse("2010-10-16T20:53:18Z"), Some(1287262398));
        assert_eq!(parse("Tue Mar 24 10:45:36 +0000 2015"), Some(1427193936));
        assert_eq!(parse("Sat, 16 Oct 2010 20:53:18 +0000"), Some(1287262398));
        assert_eq!(parse("yesterday"), None);
        assert_eq!(parse(""), None);
    }
}
