//! The log's writer: request threads append formatted lines to one shared buffer, and a thread of
//! its own writes the buffer out in one system call every few milliseconds (or sooner when it
//! fills). A request never waits for the terminal or the journal, and it pays no system call, no
//! channel message and no allocation per line; the writing thread never spins. Lines that would
//! take the buffer past its bound while the output is stuck are dropped and counted.

use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use tracing_subscriber::fmt::MakeWriter;

/// How long a line may wait before it is written.
const PERIOD: Duration = Duration::from_millis(20);
/// A buffer this full is written at once.
const EAGER_BYTES: usize = 256 * 1024;
/// Past this the output is stuck: new lines are dropped rather than held.
const MAX_BYTES: usize = 16 * 1024 * 1024;

struct Shared {
    lines: Mutex<Vec<u8>>,
    wake: Condvar,
    stopping: AtomicBool,
    dropped: AtomicU64,
}

/// Hands out writers to `tracing_subscriber::fmt`; cheap to clone.
#[derive(Clone)]
pub struct BatchWriter {
    shared: Arc<Shared>,
}

/// Writes out what is buffered and stops the writing thread when dropped.
pub struct BatchWriterGuard {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl BatchWriter {
    /// A writer into `out`, and the guard that keeps its thread running.
    pub fn new(out: impl Write + Send + 'static) -> (BatchWriter, BatchWriterGuard) {
        let shared = Arc::new(Shared {
            lines: Mutex::new(Vec::with_capacity(64 * 1024)),
            wake: Condvar::new(),
            stopping: AtomicBool::new(false),
            dropped: AtomicU64::new(0),
        });
        let thread = {
            let shared = shared.clone();
            std::thread::Builder::new().name("warta-log".into()).spawn(move || write_out(&shared, out)).ok()
        };
        (BatchWriter { shared: shared.clone() }, BatchWriterGuard { shared, thread })
    }
}

/// The writing thread: every `PERIOD`, or when woken, swaps the buffer for an empty one and
/// writes what it took.
fn write_out(shared: &Shared, mut out: impl Write) {
    let mut taken = Vec::with_capacity(64 * 1024);
    loop {
        let stopping = {
            let Ok(lines) = shared.lines.lock() else { return };
            let Ok((mut lines, _)) = shared.wake.wait_timeout(lines, PERIOD) else { return };
            std::mem::swap(&mut *lines, &mut taken);
            shared.stopping.load(Ordering::Acquire)
        };
        let dropped = shared.dropped.swap(0, Ordering::AcqRel);
        if dropped > 0 {
            let _ = writeln!(out, "warta: the log output was stuck; {dropped} line(s) were dropped");
        }
        if !taken.is_empty() {
            // Nowhere to report a failed write to: the line is lost, as with any logger.
            let _ = out.write_all(&taken).and_then(|()| out.flush());
            taken.clear();
            if taken.capacity() > EAGER_BYTES * 4 {
                taken.shrink_to(64 * 1024);
            }
        }
        if stopping {
            return;
        }
    }
}

impl Drop for BatchWriterGuard {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Release);
        self.shared.wake.notify_one();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// One event's writer: `fmt` writes each line with a single `write_all`.
pub struct LineWriter<'a> {
    shared: &'a Shared,
}

impl Write for LineWriter<'_> {
    fn write(&mut self, line: &[u8]) -> std::io::Result<usize> {
        append(self.shared, |lines| lines.extend_from_slice(line));
        Ok(line.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl BatchWriter {
    /// Appends one line, which `fill` writes straight into the shared buffer: the access log
    /// formats into it by hand, with no copy on the way.
    pub fn append(&self, fill: impl FnOnce(&mut Vec<u8>)) {
        append(&self.shared, fill);
    }
}

fn append(shared: &Shared, fill: impl FnOnce(&mut Vec<u8>)) {
    let Ok(mut lines) = shared.lines.lock() else { return };
    let before = lines.len();
    fill(&mut lines);
    if lines.len() > MAX_BYTES {
        lines.truncate(before);
        shared.dropped.fetch_add(1, Ordering::Relaxed);
    } else if before < EAGER_BYTES && lines.len() >= EAGER_BYTES {
        shared.wake.notify_one();
    }
}

impl<'a> MakeWriter<'a> for BatchWriter {
    type Writer = LineWriter<'a>;

    fn make_writer(&'a self) -> Self::Writer {
        LineWriter { shared: &self.shared }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An output the test can read while the writer holds it.
    #[derive(Clone, Default)]
    struct Collected(Arc<Mutex<Vec<u8>>>);

    impl Write for Collected {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("lock").extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn every_line_is_written_in_order_by_the_time_the_guard_is_dropped() {
        let out = Collected::default();
        let (writer, guard) = BatchWriter::new(out.clone());
        for n in 0..10_000 {
            writer.make_writer().write_all(format!("line {n}\n").as_bytes()).expect("write");
        }
        drop(guard);
        let written = String::from_utf8(out.0.lock().expect("lock").clone()).expect("utf-8");
        let expected: String = (0..10_000).map(|n| format!("line {n}\n")).collect();
        assert_eq!(written, expected);
    }
}
