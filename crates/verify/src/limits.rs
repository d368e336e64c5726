//! The resource limits of one verification: a leaf, so that every stage can read them
//! without importing the pipeline that runs the stages.

/// Resource limits of one verification (also reachable as `chain::Limits`).
#[derive(Clone, Debug)]
pub struct VerifyLimits {
    /// Most certificates accepted in the input set (decoding stops beyond).
    pub max_certificates: usize,
    /// Longest chain of custody steps from the head back to a catch.
    pub max_depth: usize,
    /// Most certificate signatures checked in the run; certificates beyond are unsound
    /// (`limits.exceeded`).
    pub max_signatures: usize,
    /// Fewest certificates (messages to decode, signatures to check) split across rayon's
    /// pool; smaller sets stay on the calling thread. Not a limit: the verdict is the same
    /// whatever its value and the pool's thread count ([`crate::par`]).
    pub parallel_from: usize,
}

impl Default for VerifyLimits {
    fn default() -> Self {
        VerifyLimits {
            max_certificates: catchcert_model::limits::CERTIFICATES_PER_BUNDLE,
            max_depth: catchcert_model::limits::GRAPH_DEPTH,
            max_signatures: catchcert_model::limits::SIGNATURES_PER_RUN,
            parallel_from: crate::par::PARALLEL_MIN,
        }
    }
}
