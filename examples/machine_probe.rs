//! How fast this machine is right now, for reading speed measurements:
//! the latency of a dependent random walk over arrays of 1, 8 and 128 MB
//! (an L2 hit, the last-level cache when no neighbour crowds it out, and
//! memory) and the time of a dependent multiply-add chain (the core's own
//! speed).
//!
//! `threadlens score` waits on cache misses for much of its time (table
//! rows, per-word caches), so its speed follows the 8 MB figure: on this
//! shared VM that figure moved between ~20 ns and ~150 ns within an hour
//! (other tenants using the shared cache), and `score` between ~65k and
//! ~35k comments/s with it. `scripts/bench_speed.py` prints this probe
//! before and after its rows.
//!
//! `cargo run --release --example machine_probe` prints one line:
//! `chain 0.70 ns | walk 1 MB 9.5 ns, 8 MB 21.0 ns, 128 MB 154.0 ns`.

use std::hint::black_box;
use std::time::Instant;

/// Nanoseconds a step of a walk through a random cycle over `bytes` of
/// `u32` slots (each step's address depends on the last load).
fn walk(bytes: usize, steps: usize) -> f64 {
    let n = bytes / 4;
    // A random cyclic permutation (Sattolo's algorithm, xorshift).
    let mut next: Vec<u32> = (0..n as u32).collect();
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in (1..n).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        next.swap(i, (x % i as u64) as usize);
    }
    let mut p = 0u32;
    for _ in 0..steps / 10 {
        p = next[p as usize];
    }
    let t = Instant::now();
    for _ in 0..steps {
        p = next[p as usize];
    }
    let secs = t.elapsed().as_secs_f64();
    black_box(p);
    secs / steps as f64 * 1e9
}

/// Nanoseconds a step of a dependent multiply-add chain.
fn chain(steps: u64) -> f64 {
    let t = Instant::now();
    let mut a = 1u64;
    for i in 0..steps {
        a = black_box(a)
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(i);
    }
    let secs = t.elapsed().as_secs_f64();
    black_box(a);
    secs / steps as f64 * 1e9
}

fn main() {
    let c = chain(200_000_000);
    let l2 = walk(1 << 20, 10_000_000);
    let llc = walk(8 << 20, 5_000_000);
    let mem = walk(128 << 20, 2_000_000);
    println!("chain {c:.2} ns | walk 1 MB {l2:.1} ns, 8 MB {llc:.1} ns, 128 MB {mem:.1} ns");
}
