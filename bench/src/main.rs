//! Side-by-side benchmarks of this framework, `neli`, the
//! `netlink-packet-*`/`netlink-sys` crates and hand-written or raw-libc
//! baselines, on the same work in one run. See the crate's README.

mod alloc;
mod codec;
mod dump;
mod report;
mod rtt;
mod sys;
mod tally;

#[global_allocator]
static GLOBAL: alloc::Counting = alloc::Counting;

/// Sizes and repetitions, from the command line.
#[derive(Debug, Clone)]
struct Config {
    reps: usize,
    codec: usize,
    links: usize,
    routes: usize,
    round_trips: usize,
    only: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            reps: 5,
            codec: 200_000,
            links: 1_000,
            routes: 100_000,
            round_trips: 200_000,
            only: Vec::new(),
        }
    }
}

const USAGE: &str = "usage: netlink-bench [--reps N] [--codec N] [--links N] [--routes N] \
[--round-trips N] [--only codec,links,routes,rtt] [--quick]";

impl Config {
    fn from_args() -> Self {
        let mut config = Self::default();
        let mut args = std::env::args().skip(1);
        while let Some(arg) = args.next() {
            let mut number = || -> usize {
                args.next()
                    .and_then(|v| v.replace('_', "").parse().ok())
                    .unwrap_or_else(|| usage())
            };
            match arg.as_str() {
                "--reps" => config.reps = number().max(1),
                "--codec" => config.codec = number(),
                "--links" => config.links = number(),
                "--routes" => config.routes = number(),
                "--round-trips" => config.round_trips = number(),
                "--quick" => {
                    config.reps = 3;
                    config.codec /= 10;
                    config.links /= 10;
                    config.routes /= 10;
                    config.round_trips /= 10;
                }
                "--only" => {
                    let list = args.next().unwrap_or_else(|| usage());
                    config.only = list.split(',').map(str::to_owned).collect();
                }
                "--bench" => {}
                _ => usage(),
            }
        }
        config
    }

    fn wants(&self, workload: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|w| w == workload)
    }
}

fn usage() -> ! {
    eprintln!("{USAGE}");
    std::process::exit(1);
}

fn main() {
    let config = Config::from_args();
    let mut table = report::Table::default();
    if config.wants("codec") {
        eprintln!("codec: {} messages x {} reps", config.codec, config.reps);
        codec::run(config.codec, config.reps, &mut table);
    }
    if config.wants("links") {
        eprintln!(
            "link dump: {} veth pairs x {} reps",
            config.links, config.reps
        );
        dump::in_private_netns("link dump", || {
            let start = std::time::Instant::now();
            dump::links::setup(config.links);
            eprintln!("link dump: created in {:.1?}", start.elapsed());
            dump::links::run(config.reps, &mut table);
        });
    }
    if config.wants("routes") {
        eprintln!(
            "route dump: {} routes x {} reps",
            config.routes, config.reps
        );
        dump::in_private_netns("route dump", || {
            let start = std::time::Instant::now();
            dump::routes::setup(config.routes);
            eprintln!("route dump: created in {:.1?}", start.elapsed());
            dump::routes::run(config.reps, &mut table);
        });
    }
    if config.wants("rtt") {
        eprintln!("round trip: {} x {} reps", config.round_trips, config.reps);
        rtt::run(config.round_trips, config.reps, &mut table);
    }
    table.print();
}
