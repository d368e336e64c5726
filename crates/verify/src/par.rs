//! Deterministic data parallelism for large sets, the only place the verifier uses rayon.
//!
//! A map over a slice runs on rayon's pool when the slice holds at least
//! [`PARALLEL_MIN`] items and in order on the calling thread otherwise; either way the
//! results come back in the input's order and each result depends on its item alone, so a
//! verdict does not depend on the number of threads (`tests/parallel.rs` checks the
//! fixtures with one and two). `join` runs two pure computations side by side, and
//! [`on_pool`] hands a large verification to the pool as a whole. Nothing here shares
//! mutable state, reads a clock or does I/O; the pool is the caller's (rayon's global pool
//! unless the caller installs another).

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

/// `f()`, on rayon's pool when `large` and on the calling thread otherwise. A large
/// verification is handed to the pool once, as a whole: its maps and joins then start on a
/// worker thread, where each would otherwise hand its work over from the calling thread
/// and wait to be woken (measured in docs/performance.md, "Chain verification").
pub(crate) fn on_pool<R, F>(large: bool, f: F) -> R
where
    F: FnOnce() -> R + Send,
    R: Send,
{
    if large && rayon::current_thread_index().is_none() {
        rayon::scope(|_| f())
    } else {
        f()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_verification_runs_on_a_worker_a_small_one_where_it_was_called() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(2)
            .build()
            .expect("pool");
        // Called from outside the pool: only a large one moves onto it.
        assert_eq!(on_pool(false, rayon::current_thread_index), None);
        pool.install(|| {
            // Already on a worker: run in place, wherever `large` says.
            let here = rayon::current_thread_index();
            assert!(here.is_some());
            assert_eq!(on_pool(true, rayon::current_thread_index), here);
        });
        // From this test's own thread, a large one runs on a worker of the global pool.
        assert!(on_pool(true, rayon::current_thread_index).is_some());
    }
}
