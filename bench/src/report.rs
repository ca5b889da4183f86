//! Recording samples and printing the table of medians.

use std::time::Duration;

use crate::tally::Tally;

/// One measured repetition.
#[derive(Debug, Clone, Copy)]
struct Sample {
    nanos_per_item: f64,
    allocs_per_item: f64,
}

/// The samples of one implementation of one workload.
#[derive(Debug)]
struct Row {
    workload: &'static str,
    name: &'static str,
    clock: &'static str,
    samples: Vec<Sample>,
}

/// Every row, in the order first recorded; the first row of each workload
/// is its baseline.
#[derive(Debug, Default)]
pub(crate) struct Table {
    rows: Vec<Row>,
}

impl Table {
    /// Records one repetition of `name` on `workload`: `items` items in
    /// `elapsed` CPU time of the measuring thread with `allocs`
    /// allocations.
    pub(crate) fn record(
        &mut self,
        workload: &'static str,
        name: &'static str,
        elapsed: Duration,
        allocs: u64,
        items: u64,
    ) {
        self.push(workload, name, "cpu", elapsed, allocs as f64, items);
    }

    /// Records one repetition measured in wall time.
    pub(crate) fn record_wall(
        &mut self,
        workload: &'static str,
        name: &'static str,
        elapsed: Duration,
        allocs: u64,
        items: u64,
    ) {
        self.push(workload, name, "wall", elapsed, allocs as f64, items);
    }

    /// Records one repetition of another process, in wall time; its
    /// allocations are not counted.
    pub(crate) fn record_external(
        &mut self,
        workload: &'static str,
        name: &'static str,
        elapsed: Duration,
        items: u64,
    ) {
        self.push(workload, name, "wall", elapsed, f64::NAN, items);
    }

    fn push(
        &mut self,
        workload: &'static str,
        name: &'static str,
        clock: &'static str,
        elapsed: Duration,
        allocs: f64,
        items: u64,
    ) {
        let items = items.max(1) as f64;
        let sample = Sample {
            nanos_per_item: elapsed.as_nanos() as f64 / items,
            allocs_per_item: allocs / items,
        };
        let found = self
            .rows
            .iter_mut()
            .find(|r| r.workload == workload && r.name == name);
        match found {
            Some(row) => row.samples.push(sample),
            None => self.rows.push(Row {
                workload,
                name,
                clock,
                samples: vec![sample],
            }),
        }
    }

    /// Prints the table as Markdown: medians and ratios to each workload's
    /// baseline.
    pub(crate) fn print(&self) {
        println!(
            "| workload | implementation | clock | median ns/item | allocs/item | ratio | reps |"
        );
        println!("|---|---|---|---:|---:|---:|---:|");
        let mut baseline = None;
        let mut current = "";
        for row in &self.rows {
            let time = median(row.samples.iter().map(|s| s.nanos_per_item));
            let allocs = median(row.samples.iter().map(|s| s.allocs_per_item));
            if row.workload != current {
                current = row.workload;
                baseline = Some(time);
            }
            let ratio = baseline.map_or(f64::NAN, |b| time / b);
            println!(
                "| {} | {} | {} | {} | {} | {ratio:.2}x | {} |",
                row.workload,
                row.name,
                row.clock,
                fmt_time(time),
                fmt_allocs(allocs),
                row.samples.len()
            );
        }
    }
}

fn median(values: impl Iterator<Item = f64>) -> f64 {
    let mut values: Vec<f64> = values.collect();
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn fmt_time(nanos: f64) -> String {
    if nanos >= 1e6 {
        format!("{:.1} ms", nanos / 1e6)
    } else if nanos >= 100.0 {
        format!("{nanos:.0}")
    } else {
        format!("{nanos:.1}")
    }
}

fn fmt_allocs(allocs: f64) -> String {
    if allocs.is_nan() {
        "-".to_owned()
    } else if allocs == 0.0 {
        "0".to_owned()
    } else {
        format!("{allocs:.2}")
    }
}

/// Stops the benchmark: an implementation produced a wrong result.
pub(crate) fn abort(message: &str) -> ! {
    eprintln!("netlink-bench: mismatch: {message}");
    std::process::exit(2);
}

/// Aborts unless `name` produced the `expected` tally on `workload`.
pub(crate) fn check(workload: &str, name: &str, found: Tally, expected: Tally) {
    if found != expected {
        abort(&format!(
            "{workload}: {name} found {found}, expected {expected}"
        ));
    }
}
