//! Issuer signatures checked ahead of validation.
//!
//! A path search checks the signature of each certificate under each candidate issuer it
//! tries (rule 9) and caches the outcome. The verifier gathers those checks before it
//! validates the paths of a set ([`PathValidator::issuer_signatures`]: each certificate of a
//! signer's x5chain under each anchor, other certificate of the chain or pooled
//! intermediate whose subject is its issuer name), checks them in its Ed25519 batch with
//! the certificates' own signatures, and hands the outcomes to the validator's cache
//! ([`PathValidator::seed`]). The search then reads them as if it had checked them itself:
//! an outcome handed over is charged to the signature budget of the first validation that
//! reads it, as the check would have been, so a validation spends the same budget, finds
//! the same path and reports the same error with or without them. A gathered pair the
//! search never tries (its issuer is not a CA, say) costs a batch item and nothing else.

use super::cert::Cert;
use super::{MAX_CHAIN, PathValidator};
use crate::signature::{BatchItem, SignatureChecked, Signed};
use ed25519_dalek::VerifyingKey;
use std::collections::HashSet;
use std::sync::Arc;

/// One certificate's signature under one candidate issuer's key.
pub(crate) struct IssuerSignature {
    /// (SHA-256 of the certificate, SHA-256 of the issuer): the cache's key.
    pair: ([u8; 32], [u8; 32]),
    key: VerifyingKey,
    child: Arc<Cert>,
}

impl IssuerSignature {
    /// The check as a batch item: the issuer's key over the certificate's signed part.
    pub(crate) fn item(&self) -> BatchItem<'_> {
        BatchItem {
            key: &self.key,
            message: Signed::Bytes(&self.child.tbs),
            signature: &self.child.signature,
        }
    }
}

impl PathValidator {
    /// The issuer signatures a validation of the signer's x5chain `chain` may check and
    /// that are neither cached nor among `gathered` (whose pairs are added to it), at most
    /// `room` of them.
    pub(crate) fn issuer_signatures(
        &mut self,
        chain: &[Vec<u8>],
        gathered: &mut HashSet<([u8; 32], [u8; 32])>,
        room: usize,
    ) -> Vec<IssuerSignature> {
        let mut out = Vec::new();
        if chain.len() > MAX_CHAIN {
            return out;
        }
        let certs: Vec<Arc<Cert>> = chain
            .iter()
            .filter_map(|der| self.parse_cached(der).ok())
            .collect();
        for child in &certs {
            let issuers = self
                .anchors_for(child)
                .into_iter()
                .chain(
                    certs
                        .iter()
                        .filter(|c| c.subject_raw == child.issuer_raw)
                        .cloned(),
                )
                .chain(
                    self.pool_index
                        .get(&child.issuer_raw)
                        .into_iter()
                        .flatten()
                        .cloned(),
                );
            for issuer in issuers {
                if out.len() >= room {
                    return out;
                }
                let pair = (child.sha256, issuer.sha256);
                let Ok(key) = issuer.key() else { continue };
                if pair.0 == pair.1 || self.signatures.contains_key(&pair) || !gathered.insert(pair)
                {
                    continue;
                }
                out.push(IssuerSignature {
                    pair,
                    key,
                    child: child.clone(),
                });
            }
        }
        out
    }

    /// Cache the outcome of a gathered issuer signature (`Some` when it verifies), to be
    /// charged to the first validation that reads it.
    pub(crate) fn seed(&mut self, signature: &IssuerSignature, outcome: Option<SignatureChecked>) {
        if self.signatures.contains_key(&signature.pair) {
            return;
        }
        self.signatures.insert(signature.pair, outcome);
        self.seeded.insert(signature.pair);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::{PathError, TrustAnchors, ValidIssuer, certs_from_pem};
    use crate::signature::verify_batch;
    use catchcert_model::Timestamp;
    use catchcert_testkit::pki_fixtures;

    /// One case of the issuer-path table (`catchcert_testkit::pki_fixtures`, built in
    /// memory): intermediates in the x5chain, or pre-loaded as the verifier loads a
    /// bundle's issuers.
    struct Table {
        name: String,
        anchors: TrustAnchors,
        chain: Vec<Vec<u8>>,
        pool: Vec<Vec<u8>>,
        signer: bool,
        at: Timestamp,
    }

    impl Table {
        fn validator(&self) -> PathValidator {
            let mut v = PathValidator::new(self.anchors.clone());
            v.add_pool(&self.pool);
            v
        }

        fn validate(&self, v: &mut PathValidator) -> Result<ValidIssuer, PathError> {
            match self.signer {
                true => v.validate(&self.chain, &[], self.at),
                false => v.validate_certificate(&self.chain, &[], self.at),
            }
        }
    }

    fn table() -> Vec<Table> {
        let (cases, files) = pki_fixtures::build().expect("the issuer-path table");
        let pem = |file: &str| certs_from_pem(&files[file]).unwrap();
        cases
            .into_iter()
            .map(|c| {
                let anchors = TrustAnchors::from_pem(&files[&c.trust]).unwrap();
                let mut chain = pem(&c.leaf);
                let more: Vec<Vec<u8>> = c.chain.iter().flat_map(|f| pem(f)).collect();
                let pool = match c.intermediates_in_pool {
                    true => more,
                    false => {
                        chain.extend(more);
                        Vec::new()
                    }
                };
                Table {
                    name: c.name,
                    anchors,
                    chain,
                    pool,
                    signer: c.mode == "signer",
                    at: Timestamp::parse_rfc3339(&c.at).unwrap(),
                }
            })
            .collect()
    }

    /// A validator whose cache holds the batch outcomes of every issuer signature the
    /// chain's validation may check, as the verifier seeds it.
    fn seeded(case: &Table) -> (PathValidator, usize) {
        let mut v = case.validator();
        let gathered = v.issuer_signatures(&case.chain, &mut HashSet::new(), usize::MAX);
        let items: Vec<BatchItem<'_>> = gathered.iter().map(IssuerSignature::item).collect();
        let outcomes = verify_batch(&items);
        for (g, o) in gathered.iter().zip(outcomes) {
            v.seed(g, o.ok());
        }
        (v, gathered.len())
    }

    fn show(r: &Result<ValidIssuer, PathError>) -> String {
        format!("{r:?}")
    }

    #[test]
    fn a_seeded_validation_gives_what_the_search_alone_gives_on_every_case() {
        let cases = table();
        assert!(cases.len() >= 20, "{} cases", cases.len());
        let (mut with_pairs, mut read) = (0, 0);
        for case in &cases {
            let alone = case.validate(&mut case.validator());
            let (mut v, n) = seeded(case);
            let result = case.validate(&mut v);
            assert_eq!(show(&result), show(&alone), "{}", case.name);
            with_pairs += usize::from(n > 0);
            read += usize::from(v.seeded.len() < n);
        }
        // Most cases gather pairs, bad signatures and broken paths among them, and the
        // search reads them.
        assert!(
            with_pairs >= 15 && read >= 12,
            "{with_pairs} gathered, {read} read"
        );
    }

    #[test]
    fn the_search_reads_a_seeded_outcome_and_charges_it_once() {
        let case = table()
            .into_iter()
            .find(|c| c.name == "valid-3-level")
            .expect("the case valid-3-level");
        assert!(case.validate(&mut case.validator()).is_ok());
        let mut v = case.validator();
        let gathered = v.issuer_signatures(&case.chain, &mut HashSet::new(), usize::MAX);
        assert!(gathered.len() >= 2, "{}", gathered.len());
        // Seeded as failing, the valid path is refused: the search read the cache.
        for g in &gathered {
            v.seed(g, None);
        }
        assert!(matches!(
            case.validate(&mut v),
            Err(PathError::BadSignature { .. })
        ));
        // The pair it read is charged: no longer waiting to be.
        assert!(v.seeded.len() < gathered.len());
        // Gathering again finds them all cached.
        assert!(
            v.issuer_signatures(&case.chain, &mut HashSet::new(), usize::MAX)
                .is_empty()
        );
        // A second gathering into the same set adds nothing; `room` bounds a gathering.
        let mut w = case.validator();
        let mut seen = HashSet::new();
        let first = w
            .issuer_signatures(&case.chain, &mut seen, usize::MAX)
            .len();
        assert_eq!(first, gathered.len());
        assert!(
            w.issuer_signatures(&case.chain, &mut seen, usize::MAX)
                .is_empty()
        );
        assert_eq!(
            w.issuer_signatures(&case.chain, &mut HashSet::new(), 1)
                .len(),
            1
        );
    }
}
