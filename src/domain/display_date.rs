//! `published_at_display`: a publication time as an Indonesian news page prints it,
//! `Kamis, 31 Agustus 2023 | 14:09 WIB`, in the site's time zone.

use chrono::{Datelike, NaiveDateTime, Offset, TimeZone, Timelike, Weekday};
use chrono_tz::Tz;

const MONTHS: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "Senin",
        Weekday::Tue => "Selasa",
        Weekday::Wed => "Rabu",
        Weekday::Thu => "Kamis",
        Weekday::Fri => "Jumat",
        Weekday::Sat => "Sabtu",
        Weekday::Sun => "Minggu",
    }
}

/// The Indonesian name of a zone (WIB, WITA, WIT), or `UTC+HH:MM` for zones elsewhere.
fn zone_label(zone: Tz, offset_seconds: i32) -> String {
    match zone.name() {
        "Asia/Jakarta" | "Asia/Pontianak" => "WIB".into(),
        "Asia/Makassar" | "Asia/Ujung_Pandang" => "WITA".into(),
        "Asia/Jayapura" => "WIT".into(),
        _ => {
            let sign = if offset_seconds < 0 { '-' } else { '+' };
            let minutes = offset_seconds.abs() / 60;
            format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
        }
    }
}

/// `at` (UTC) as the page prints it in `zone`.
pub fn display(at: &NaiveDateTime, zone: Tz) -> String {
    let local = zone.from_utc_datetime(at);
    let offset = local.offset().fix().local_minus_utc();
    format!(
        "{}, {} {} {} | {:02}:{:02} {}",
        day_name(local.weekday()),
        local.day(),
        MONTHS[local.month0() as usize],
        local.year(),
        local.hour(),
        local.minute(),
        zone_label(zone, offset)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        chrono::DateTime::parse_from_rfc3339(s).expect("valid").naive_utc()
    }

    #[test]
    fn the_contracts_example() {
        assert_eq!(
            display(&utc("2023-08-31T07:09:00Z"), chrono_tz::Asia::Jakarta),
            "Kamis, 31 Agustus 2023 | 14:09 WIB"
        );
    }

    #[test]
    fn midnight_in_jakarta_is_the_next_day() {
        assert_eq!(
            display(&utc("2023-12-31T16:59:00Z"), chrono_tz::Asia::Jakarta),
            "Minggu, 31 Desember 2023 | 23:59 WIB"
        );
        assert_eq!(
            display(&utc("2023-12-31T17:00:00Z"), chrono_tz::Asia::Jakarta),
            "Senin, 1 Januari 2024 | 00:00 WIB"
        );
    }

    #[test]
    fn other_zones() {
        let at = utc("2024-02-29T01:05:00Z");
        assert_eq!(display(&at, chrono_tz::Asia::Makassar), "Kamis, 29 Februari 2024 | 09:05 WITA");
        assert_eq!(display(&at, chrono_tz::Asia::Jayapura), "Kamis, 29 Februari 2024 | 10:05 WIT");
        assert_eq!(display(&at, chrono_tz::UTC), "Kamis, 29 Februari 2024 | 01:05 UTC+00:00");
        assert_eq!(display(&at, chrono_tz::America::New_York), "Rabu, 28 Februari 2024 | 20:05 UTC-05:00");
        assert_eq!(display(&at, chrono_tz::Asia::Kolkata), "Kamis, 29 Februari 2024 | 06:35 UTC+05:30");
    }

    #[test]
    fn every_day_and_month_has_its_name() {
        let days: Vec<String> = (1..=7)
            .map(|d| display(&utc(&format!("2024-01-{d:02}T05:00:00Z")), chrono_tz::Asia::Jakarta))
            .map(|s| s.split(',').next().unwrap_or_default().to_owned())
            .collect();
        assert_eq!(days, ["Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu"]);
        for (i, month) in MONTHS.iter().enumerate() {
            let s = display(&utc(&format!("2024-{:02}-15T05:00:00Z", i + 1)), chrono_tz::Asia::Jakarta);
            assert!(s.contains(&format!("15 {month} 2024")), "{s}");
        }
    }
}
