//! Deterministic data parallelism for large sets, the only place the verifier uses rayon.
//!
//! A map over a slice runs on rayon's pool when the slice holds at least
//! [`PARALLEL_MIN`] items and in order on the calling thread otherwise; either way the
//! results come back in the input's order and each result depends on its item alone, so a
//! verdict does not depend on the number of threads (`tests/parallel.rs` checks the
//! fixtures with one and two). `join` runs two pure computations side by side. Nothing here shares mutable state, reads a clock or does
//! I/O; the pool is the caller's (rayon's global pool unless the caller installs another).

use rayon::prelude::*;

/// Fewest items for which a map is split across threads. A 13-certificate lot stays on
/// the calling thread, where handing work to the pool costs more than it saves.
pub const PARALLEL_MIN: usize = 64;

/// `items.iter().map(f)`, in order, on several threads when the slice holds at least
/// `from` items.
pub(crate) fn map<T, R, F>(items: &[T], from: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync + Send,
{
    if items.len() < from.max(2) {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// `f` over consecutive chunks of at most `chunk` items, results concatenated in order, on
/// several threads when the slice holds at least `from` items (then the chunks are made
/// small enough that every thread of the pool gets one).
pub(crate) fn map_chunks<T, R, F>(items: &[T], chunk: usize, from: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&[T]) -> Vec<R> + Sync + Send,
{
    if items.len() < from.max(2) {
        f(items)
    } else {
        let per_thread = items.len().div_ceil(rayon::current_num_threads().max(1));
        let chunk = chunk.min(per_thread).max(1);
        items.par_chunks(chunk).flat_map_iter(f).collect()
    }
}

/// `(a(), b())`, the two side by side on rayon's pool. The pipeline runs the stages after
/// the signatures beside a large batch this way; both are pure, so the pair is the same as
/// computing one after the other.
pub(crate) fn join<A, B, RA, RB>(a: A, b: B) -> (RA, RB)
where
    A: FnOnce() -> RA + Send,
    B: FnOnce() -> RB + Send,
    RA: Send,
    RB: Send,
{
    rayon::join(a, b)
}
