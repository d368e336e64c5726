//! Rendering of each finding kind's message from its typed context.

use super::*;

impl FindingKind {
    pub(super) fn custody_message(&self) -> String {
        use FindingKind as K;
        match self {
            K::LinkLot {
                input,
                lot,
                certificate,
            } => format!(
                "inputs[{input}] consumes lot {lot:?} of {certificate}, which outputs no such lot"
            ),
            K::BeforeInput {
                time,
                input_time,
                input_kind,
                certificate,
            } => format!(
                "its time {time} is earlier than {input_time} of the {input_kind} it consumes ({certificate})"
            ),
            K::BeforeEndOfFishing {
                time,
                catch_end,
                certificate,
            } => format!(
                "its time {time} is before the end of fishing {catch_end} of the catch {certificate}"
            ),
            K::OwnBalanceExceeded { outputs, inputs } => format!(
                "outputs weigh {} but inputs only {} (yield {:.1} %)",
                grams(*outputs),
                grams(*inputs),
                *outputs as f64 * 100.0 / (*inputs).max(1) as f64
            ),
            K::LotOverConsumed {
                lot,
                available,
                consumed,
                consumers,
            } => format!(
                "lot {lot:?} was output with {available} but {} is consumed in total by: {}",
                grams(*consumed),
                consumers
                    .iter()
                    .map(|(c, q)| format!("{c} ({q})"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            _ => self.speaks_for_message(),
        }
    }

    pub(super) fn speaks_for_message(&self) -> String {
        use FindingKind as K;
        match self {
            K::IssuerScope { claim, bound } => scope_message(claim, bound),
            K::Custody {
                input,
                lot,
                certificate,
                consumer,
                holder,
                breach,
            } => {
                let held = holder_text(holder);
                let at =
                    format!("inputs[{input}] (lot {lot:?} of {certificate}) is held by {held}");
                match breach {
                    CustodyBreach::From { from } => {
                        format!("{at}, but the {consumer} takes it from {from:?}")
                    }
                    CustodyBreach::NotAtSea => format!(
                        "{at}, not by a vessel: a {consumer} moves only fish a vessel holds"
                    ),
                    CustodyBreach::NotLanded => format!(
                        "{at}: a {consumer} never takes fish from a vessel (it is landed first)"
                    ),
                    CustodyBreach::Signer { bound } => format!(
                        "{at}, but the {consumer} is signed by someone else (its issuer speaks for {})",
                        bindings_text(bound)
                    ),
                }
            }
            K::Species {
                output,
                lot,
                species,
                carried,
            } => format!(
                "outputs[{output}] (lot {lot:?}) is {species}, but the lots it consumes carry only {}",
                carried.join(", ")
            ),
            K::LotConflict { lot, rivals } => format!(
                "lot {lot:?} is also first output by {}: one lot id, two lineages (an event signed twice, or an id reused)",
                rivals
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            K::IssuedBeforeNamed {
                issued_at,
                named,
                named_kind,
                named_issued_at,
            } => format!(
                "issued_at {issued_at} is earlier than issued_at {named_issued_at} of the {named_kind} it names ({named}): a certificate can only name one that existed first"
            ),
            _ => self.attestation_message(),
        }
    }

    pub(super) fn attestation_message(&self) -> String {
        use FindingKind as K;
        match self {
            K::AttestationRevoked {
                attestation,
                subject,
                from,
                period,
            } => format!(
                "the attestation {attestation} of the {subject} was revoked from {from}, before the end of the period it must cover ({period})"
            ),
            K::AttestationExpired {
                attestation,
                subject,
                valid: (from, until),
                period,
            } => format!(
                "the attestation {attestation} of the {subject} is valid {from}..{until}, which does not cover {period}"
            ),
            K::AttestationMissing {
                subject,
                period,
                unsound,
                absent,
                at_sea,
            } => {
                let mut msg = format!("no valid attestation of the {subject} covers {period}");
                if *unsound > 0 {
                    msg += &format!(" ({unsound} named attestation(s) failed verification)");
                }
                if !absent.is_empty() {
                    msg += &format!("; named but not present: {}", absent.join(", "));
                }
                if *at_sea {
                    msg = format!("transshipment at sea to a vessel with {msg}");
                }
                msg
            }
            K::WeakAudit {
                attestation,
                method: AuditMethod::Internal,
            } => format!(
                "the attestation {attestation} rests on an internal (first- or second-party) audit only"
            ),
            K::WeakAudit { attestation, .. } => {
                format!("the attestation {attestation} rests on no audit at all (self-declaration)")
            }
            K::ForcedLabourIndicators {
                attestation,
                indicators,
            } => format!(
                "the attestation {attestation} records ILO forced-labour indicators {}",
                indicators.join(", ")
            ),
            K::CrewConditions {
                attestation,
                imo,
                issues,
            } => format!(
                "the attestation {attestation} of vessel {imo}: {}",
                issues.join("; ")
            ),
            _ => self.limits_and_evidence_message(),
        }
    }

    /// Messages of the limit findings and of the evidence rules (which attestations count).
    pub(super) fn limits_and_evidence_message(&self) -> String {
        use FindingKind as K;
        match self {
            K::Cycle => "the certificate is part of a cycle of inputs".into(),
            K::TooDeep { depth, limit } => {
                format!(
                    "the chain is {depth} custody steps deep, over the limit GRAPH_DEPTH of {limit}"
                )
            }
            K::TooManyCertificates { count, limit } => format!(
                "the set holds {count} certificates, over the limit CERTIFICATES_PER_BUNDLE of {limit}; only the first {limit} were read"
            ),
            K::TooManySignatures { limit } => format!(
                "the run reached the limit SIGNATURES_PER_RUN of {limit} signature checks; this certificate was not checked"
            ),
            K::AttestationNotPresent { absent } => format!(
                "named attestation(s) not present: {}; every attestation the certificate relies on must travel with it",
                absent.join(", ")
            ),
            K::AttestationSelf {
                attestation,
                auditor,
                issuer,
                shared,
            } => format!(
                "the attestation {attestation} was made by {auditor:?}, which shares {shared} with the issuer {issuer:?} of the certificate relying on it (self-audit)"
            ),
            K::AttestationImplausible {
                attestation,
                problems,
            } => format!(
                "the attestation {attestation} is implausible: {}",
                problems.join("; ")
            ),
            K::LongTrip {
                start,
                end,
                days,
                limit,
            } => format!(
                "the catch period {start}..{end} lasts {days} days, over {limit} days at sea (isolation, ILO forced-labour indicator 4)"
            ),
            _ => String::new(),
        }
    }
}

pub(super) fn role_message(
    issuer: &str,
    roles: &[Role],
    kind: Kind,
    refusal: Option<&RevocationRefusal>,
) -> String {
    let roles = roles
        .iter()
        .map(|r| r.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let mut msg = format!("issuer {issuer:?} with roles [{roles}] may not sign a {kind}");
    if let Some(refusal) = refusal {
        let why = match refusal {
            RevocationRefusal::NotStored(id) => format!("{id} is not stored"),
            RevocationRefusal::Undecodable => "the revoked certificate does not decode".into(),
            RevocationRefusal::OtherSigner => "the revoked certificate has another signer".into(),
            RevocationRefusal::TargetIssuerInvalid => {
                "the revoked certificate's issuer is not valid".into()
            }
            RevocationRefusal::TargetIsRevocation => {
                return format!(
                    "issuer {issuer:?} may not sign this {kind}: the certificate it revokes is itself a revocation, which cannot be revoked"
                );
            }
        };
        msg.push_str(&format!(
            " (only the issuer of the revoked certificate, or a registrar, may revoke it; {why})"
        ));
    }
    msg
}

pub(super) fn scope_message(claim: &ScopeClaim, bound: &Bindings) -> String {
    let what = match claim {
        ScopeClaim::CatchVessel { imo } => format!("the catch names vessel {imo}"),
        ScopeClaim::TransshipmentVessels { from, to } => {
            format!("the transshipment from {from} to {to} is signed by neither vessel")
        }
        ScopeClaim::LandingVessel {
            input,
            lot,
            certificate,
            imo,
        } => format!(
            "inputs[{input}] (lot {lot:?} of {certificate}) is held by vessel {imo}, but the landing is not signed by that vessel"
        ),
        ScopeClaim::ProcessingFacility { facility } => {
            format!("the processing names facility {facility:?}")
        }
        ScopeClaim::ShipmentParties { from, to } => {
            format!("the shipment from {from:?} to {to:?} is signed by neither party")
        }
        ScopeClaim::ReceiptTo { to } => format!("the receipt is to {to:?} but not signed by it"),
    };
    format!(
        "{what}; its issuer is not bound to it (issuer speaks for {})",
        bindings_text(bound)
    )
}

pub(super) fn holder_text(h: &HolderKind) -> String {
    match h {
        HolderKind::Vessel(v) => format!("vessel {v}"),
        HolderKind::Port => "the port (landed)".into(),
        HolderKind::Processor(b) => format!("the processor ({})", bindings_text(b)),
        HolderKind::Party(p) => format!("party {p:?}"),
    }
}

/// Bindings as findings show them: `vessels …; facilities …; parties …`.
pub fn bindings_text(b: &Bindings) -> String {
    let list = |s: &[String]| {
        if s.is_empty() {
            "none".to_string()
        } else {
            s.iter()
                .map(|v| format!("{v:?}"))
                .collect::<Vec<_>>()
                .join(", ")
        }
    };
    format!(
        "vessels {}; facilities {}; parties {}",
        list(&b.vessels),
        list(&b.facilities),
        list(&b.parties)
    )
}

pub(super) fn link_missing_message(
    input: usize,
    certificate: &CertId,
    absence: &Absence,
) -> String {
    let why = match absence {
        Absence::NotStored => {
            return format!("inputs[{input}] names {certificate}, which is not stored");
        }
        Absence::IssuedLater => " (it was issued after the verification time)".to_string(),
        Absence::Broken => " (it is present but not a valid certificate)".to_string(),
        Absence::NotPresent { others, .. } if others.is_empty() => String::new(),
        Absence::NotPresent { lot, others } => format!(
            " (the set holds {} that output{} lot {lot:?} under another id: altered or re-signed?)",
            others
                .iter()
                .map(|o| o.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            if others.len() == 1 { "s" } else { "" },
        ),
    };
    format!("inputs[{input}] names {certificate} which is not present{why}")
}

/// A total weight in grams, shown as [`Grams`] shows it (saturating at `u64::MAX`).
pub fn grams(g: u128) -> String {
    Grams(u64::try_from(g).unwrap_or(u64::MAX)).to_string()
}
