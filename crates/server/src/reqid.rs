//! Request ids without a system call per request: a random 64-bit prefix drawn once per
//! process, and a counter. Formatted as a UUID (version 8, "custom"), so an id looks like
//! the UUIDs clients may send and is unique within the process and, with overwhelming
//! probability, across processes. [`tower_http::request_id::MakeRequestUuid`] asked the
//! operating system for 16 random bytes on every request.

use axum::http::{HeaderValue, Request};
use rand_core::{OsRng, RngCore};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tower_http::request_id::{MakeRequestId, RequestId};

/// Makes `x-request-id` values: prefix and counter as a UUID.
#[derive(Clone, Debug)]
pub struct MakeCountedId {
    prefix: u64,
    next: Arc<AtomicU64>,
}

impl Default for MakeCountedId {
    fn default() -> Self {
        MakeCountedId {
            prefix: OsRng.next_u64(),
            next: Arc::new(AtomicU64::new(OsRng.next_u64() >> 16)),
        }
    }
}

impl MakeCountedId {
    /// The next id, `xxxxxxxx-xxxx-8xxx-Yxxx-xxxxxxxxxxxx`.
    pub fn next_id(&self) -> String {
        let id = self.next_bytes();
        String::from_utf8_lossy(&id).into_owned()
    }

    /// The next id as ASCII bytes, formatted without `fmt` or allocation.
    fn next_bytes(&self) -> [u8; 36] {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let hi = (self.prefix & !0xF000) | 0x8000; // version 8
        let lo = (n & !(0xC000 << 48)) | (0x8000 << 48); // RFC 9562 variant
        let mut out = [b'-'; 36];
        let mut nibbles = (0..16)
            .map(|i| (hi >> (60 - 4 * i)) & 0xF)
            .chain((0..16).map(|i| (lo >> (60 - 4 * i)) & 0xF));
        for (i, slot) in out.iter_mut().enumerate() {
            if !matches!(i, 8 | 13 | 18 | 23)
                && let Some(v) = nibbles.next()
            {
                *slot = HEX[v as usize];
            }
        }
        out
    }
}

impl MakeRequestId for MakeCountedId {
    fn make_request_id<B>(&mut self, _: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_bytes(&self.next_bytes())
            .ok()
            .map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_uuid_shaped_and_distinct() {
        let m = MakeCountedId::default();
        let (a, b) = (m.next_id(), m.next_id());
        assert_ne!(a, b);
        for id in [&a, &b] {
            assert_eq!(id.len(), 36, "{id}");
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(
                parts.iter().map(|p| p.len()).collect::<Vec<_>>(),
                [8, 4, 4, 4, 12]
            );
            assert!(parts[2].starts_with('8'), "{id}");
            assert!(matches!(&parts[3][..1], "8" | "9" | "a" | "b"), "{id}");
        }
        // The same layout as the format string `{:08x}-{:04x}-{:04x}-{:04x}-{:012x}`.
        let m = MakeCountedId {
            prefix: 0x0123_4567_89ab_cdef,
            next: Arc::new(AtomicU64::new(0x0000_fedc_ba98_7654)),
        };
        assert_eq!(m.next_id(), "01234567-89ab-8def-8000-fedcba987654");
        assert_eq!(m.next_id(), "01234567-89ab-8def-8000-fedcba987655");
        // Another process (another maker) has another prefix.
        assert_ne!(MakeCountedId::default().next_id()[..18], a[..18]);
    }
}
