//! Request counters and latency histograms by route and status, rendered in the Prometheus text
//! format at `/metrics`. Routes are labelled by their pattern (`/api/v1/authors/{key}`), never by
//! the raw path, so a scan of random URLs cannot grow the label set.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
struct Series {
    count: u64,
    sum_seconds: f64,
    /// Per bucket, not cumulative; summed when rendered.
    buckets: [u64; BUCKETS.len()],
}

/// The method as a label: any other token a client sends becomes `OTHER`, so the label set stays
/// bounded whatever arrives.
fn method_label(method: &str) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|known| *known == method).unwrap_or("OTHER")
}

/// A value read when `/metrics` is rendered.
struct Gauge {
    /// The Prometheus type: `gauge`, or `counter` for a value that only grows.
    kind: &'static str,
    name: &'static str,
    help: &'static str,
    read: Box<dyn Fn() -> u64 + Send + Sync>,
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(&'static str, &'static str, u16), Series>>,
    gauges: Mutex<Vec<Gauge>>,
}

impl Metrics {
    /// Adds a gauge whose value `read` gives at each rendering.
    pub fn gauge(&self, name: &'static str, help: &'static str, read: impl Fn() -> u64 + Send + Sync + 'static) {
        if let Ok(mut gauges) = self.gauges.lock() {
            gauges.push(Gauge { kind: "gauge", name, help, read: Box::new(read) });
        }
    }

    /// Adds a counter (a value that only grows) that `read` gives at each rendering.
    pub fn counter(&self, name: &'static str, help: &'static str, read: impl Fn() -> u64 + Send + Sync + 'static) {
        if let Ok(mut gauges) = self.gauges.lock() {
            gauges.push(Gauge { kind: "counter", name, help, read: Box::new(read) });
        }
    }

    /// Counts an answer; the labels are `'static` (routes come from the route table), so counting
    /// allocates nothing.
    pub fn record(&self, method: &str, route: &'static str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut series) = self.series.lock() else { return };
        let entry = series.entry((method_label(method), route, status)).or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        if let Some(i) = BUCKETS.iter().position(|&b| seconds <= b) {
            entry.buckets[i] += 1;
        }
    }

    /// The Prometheus text exposition, with the pool's state (`open`, `idle`, `max`) appended.
    pub fn render(&self, pool: (u32, u32, u32)) -> String {
        let mut out = String::new();
        out.push_str("# HELP warta_http_requests_total HTTP requests answered, by method, route and status.\n");
        out.push_str("# TYPE warta_http_requests_total counter\n");
        let series = match self.series.lock() {
            Ok(series) => series,
            Err(poisoned) => poisoned.into_inner(),
        };
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(
                out,
                "warta_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str("# HELP warta_http_request_duration_seconds Time to answer, by method, route and status.\n");
        out.push_str("# TYPE warta_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in series.iter() {
            let labels = format!("method=\"{method}\",route=\"{}\",status=\"{status}\"", escape(route));
            let mut cumulative = 0;
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                cumulative += n;
                let _ =
                    writeln!(out, "warta_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}");
            }
            let _ = writeln!(out, "warta_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}", s.count);
            let _ = writeln!(out, "warta_http_request_duration_seconds_sum{{{labels}}} {}", s.sum_seconds);
            let _ = writeln!(out, "warta_http_request_duration_seconds_count{{{labels}}} {}", s.count);
        }
        let (open, idle, max) = pool;
        let gauges = [
            ("warta_db_pool_connections", "Database connections open.", open),
            ("warta_db_pool_idle_connections", "Database connections open and idle.", idle),
            ("warta_db_pool_max_connections", "The pool's size limit.", max),
        ];
        for (name, help, value) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {value}");
        }
        if let Ok(gauges) = self.gauges.lock() {
            for Gauge { kind, name, help, read } in gauges.iter() {
                let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {}", read());
            }
        }
        out
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_methods_share_one_label() {
        let metrics = Metrics::default();
        for method in ["GET", "BREW", "X".repeat(30_000).as_str(), "get"] {
            metrics.record(method, "/healthz", 405, Duration::from_millis(1));
        }
        let text = metrics.render((0, 0, 0));
        assert!(text.contains(r#"method="OTHER",route="/healthz",status="405"} 3"#), "{text}");
        assert!(!text.contains("BREW") && text.len() < 10_000, "{text}");
    }

    #[test]
    fn histograms_are_cumulative() {
        let metrics = Metrics::default();
        metrics.record("GET", "/api/v1/authors", 200, Duration::from_micros(300));
        metrics.record("GET", "/api/v1/authors", 200, Duration::from_millis(30));
        let text = metrics.render((2, 1, 8));
        assert!(
            text.contains("warta_http_requests_total{method=\"GET\",route=\"/api/v1/authors\",status=\"200\"} 2"),
            "{text}"
        );
        assert!(text.contains("le=\"0.0005\"} 1"), "{text}");
        assert!(text.contains("le=\"0.05\"} 2"), "{text}");
        assert!(text.contains("le=\"+Inf\"} 2"), "{text}");
        assert!(text.contains("warta_db_pool_max_connections 8"), "{text}");
    }
}
