//! Readable verdicts: one self-contained HTML page (inline CSS and SVG; no script, font,
//! image or stylesheet from anywhere else) from a [`Verdict`] and the certificate bytes
//! of its graph.
//!
//! The page shows the verdict as badges with one sentence why, the lot graph as a layered
//! picture ([`layout`]), the supply-chain tracing table (every party at every stage, boat
//! to buyer), and each certificate's key fields with its findings in plain words.
//! Attestations are summarised without personal data: crew appear only as counts.
//!
//! Pure: no I/O, no clock (the time is an argument), deterministic output. Every string
//! from a certificate is untrusted and escaped.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used))]

pub mod layout;
mod page;

pub use page::{index_page, not_found_page, render};

/// Escape text for HTML element content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters other than tab and newline have no business in a page.
            c if c.is_control() && c != '\n' && c != '\t' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            super::escape("<script>\"a\" & 'b'</script>\u{0}"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;\u{fffd}"
        );
    }
}
