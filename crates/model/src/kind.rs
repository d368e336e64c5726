//! Certificate kinds and issuer roles, and which role may sign which kind (contract §2).

use std::fmt;
use std::str::FromStr;

/// The kind of a certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// An auditor's statement about the crew of one vessel over a period.
    CrewAttestation,
    /// An auditor's statement about a processing facility over a period.
    FacilityAttestation,
    /// A vessel's catch: creates lots.
    Catch,
    /// Catch moved from one vessel to another, at sea or in port.
    Transshipment,
    /// First discharge of catch at a port.
    Landing,
    /// Transformation (and commingling) of lots at a facility.
    Processing,
    /// Lots leaving one party for another.
    Shipment,
    /// Lots received by a party.
    Receipt,
    /// Withdrawal of an earlier certificate, effective from its `time`.
    Revocation,
    /// A list keeper's watch list of vessels, facilities, parties, flags or areas.
    Watchlist,
}

impl Kind {
    /// Every kind, in contract order.
    pub const ALL: [Kind; 10] = [
        Kind::CrewAttestation,
        Kind::FacilityAttestation,
        Kind::Catch,
        Kind::Transshipment,
        Kind::Landing,
        Kind::Processing,
        Kind::Shipment,
        Kind::Receipt,
        Kind::Revocation,
        Kind::Watchlist,
    ];

    /// The contract name (`crew_attestation`, `catch`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::CrewAttestation => "crew_attestation",
            Kind::FacilityAttestation => "facility_attestation",
            Kind::Catch => "catch",
            Kind::Transshipment => "transshipment",
            Kind::Landing => "landing",
            Kind::Processing => "processing",
            Kind::Shipment => "shipment",
            Kind::Receipt => "receipt",
            Kind::Revocation => "revocation",
            Kind::Watchlist => "watchlist",
        }
    }

    /// Custody kinds move lots: they carry `inputs`, `outputs` and `attestations`.
    pub fn is_custody(self) -> bool {
        matches!(
            self,
            Kind::Catch
                | Kind::Transshipment
                | Kind::Landing
                | Kind::Processing
                | Kind::Shipment
                | Kind::Receipt
        )
    }

    /// Attestation kinds describe labour conditions over a validity period.
    pub fn is_attestation(self) -> bool {
        matches!(self, Kind::CrewAttestation | Kind::FacilityAttestation)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a string is not a kind or role name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} {value:?} (expected one of: {expected})")]
pub struct NameError {
    /// "kind" or "role".
    pub what: &'static str,
    /// The rejected value.
    pub value: String,
    /// The accepted names, comma separated.
    pub expected: String,
}

impl FromStr for Kind {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Kind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| NameError {
                what: "kind",
                value: s.chars().take(64).collect(),
                expected: Kind::ALL.map(Kind::as_str).join(", "),
            })
    }
}

/// The role of an accredited issuer, carried in its X.509 certificate.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Labour auditor or inspector.
    Auditor,
    /// Fishing vessel (master or owner).
    Vessel,
    /// Reefer or carrier vessel.
    Carrier,
    /// Cannery, loining or freezing plant.
    Processor,
    /// Importer, broker or distributor.
    Trader,
    /// Supermarket or food-service buyer.
    Retailer,
    /// Keeper of a watch list (signs `watchlist` certificates).
    Listkeeper,
    /// The programme operator's registrar: may revoke any certificate.
    Registrar,
}

impl Role {
    /// Every role, in contract order.
    pub const ALL: [Role; 8] = [
        Role::Auditor,
        Role::Vessel,
        Role::Carrier,
        Role::Processor,
        Role::Trader,
        Role::Retailer,
        Role::Listkeeper,
        Role::Registrar,
    ];

    /// The custody roles: those that hold lots. Who audits must not be who is audited, so
    /// `auditor` is never combined with one of them (contract §2).
    pub const CUSTODY: [Role; 5] = [
        Role::Vessel,
        Role::Carrier,
        Role::Processor,
        Role::Trader,
        Role::Retailer,
    ];

    /// Whether the role holds lots (see [`Role::CUSTODY`]).
    pub fn is_custody(self) -> bool {
        Role::CUSTODY.contains(&self)
    }

    /// The contract name (`auditor`, `vessel`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Auditor => "auditor",
            Role::Vessel => "vessel",
            Role::Carrier => "carrier",
            Role::Processor => "processor",
            Role::Trader => "trader",
            Role::Retailer => "retailer",
            Role::Listkeeper => "listkeeper",
            Role::Registrar => "registrar",
        }
    }

    /// The kinds this role may sign (contract §2). Any issuer may in addition revoke a
    /// certificate it signed itself; that rule needs the revoked certificate and is applied
    /// by the verifier. `registrar` may revoke any certificate. `listkeeper` signs
    /// `watchlist` certificates and nothing else.
    pub fn may_sign(self) -> &'static [Kind] {
        match self {
            Role::Auditor => &[Kind::CrewAttestation, Kind::FacilityAttestation],
            Role::Vessel => &[Kind::Catch, Kind::Transshipment, Kind::Landing],
            Role::Carrier => &[Kind::Transshipment, Kind::Landing],
            Role::Processor => &[Kind::Processing, Kind::Shipment, Kind::Receipt],
            Role::Trader => &[Kind::Shipment, Kind::Receipt],
            Role::Retailer => &[Kind::Receipt],
            Role::Listkeeper => &[Kind::Watchlist],
            Role::Registrar => &[Kind::Revocation],
        }
    }

    /// Whether any of `roles` allows signing `kind`.
    pub fn any_allows(roles: &[Role], kind: Kind) -> bool {
        roles.iter().any(|r| r.may_sign().contains(&kind))
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Role {
    type Err = NameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| NameError {
                what: "role",
                value: s.chars().take(64).collect(),
                expected: Role::ALL.map(Role::as_str).join(", "),
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(k.as_str().parse::<Kind>().unwrap(), k);
        }
        for r in Role::ALL {
            assert_eq!(r.as_str().parse::<Role>().unwrap(), r);
        }
        let e = "landings".parse::<Kind>().unwrap_err();
        assert!(e.to_string().contains("landings"), "{e}");
        assert!("Auditor".parse::<Role>().is_err());
    }

    #[test]
    fn role_table_matches_contract() {
        // contract §2, row by row
        let table: [(Role, &[&str]); 8] = [
            (Role::Auditor, &["crew_attestation", "facility_attestation"]),
            (Role::Vessel, &["catch", "transshipment", "landing"]),
            (Role::Carrier, &["transshipment", "landing"]),
            (Role::Processor, &["processing", "shipment", "receipt"]),
            (Role::Trader, &["shipment", "receipt"]),
            (Role::Retailer, &["receipt"]),
            (Role::Listkeeper, &["watchlist"]),
            (Role::Registrar, &["revocation"]),
        ];
        for (role, kinds) in table {
            let got: Vec<&str> = role.may_sign().iter().map(|k| k.as_str()).collect();
            assert_eq!(got, kinds, "{role}");
        }
        assert!(!Role::any_allows(&[Role::Trader], Kind::CrewAttestation));
        assert!(Role::any_allows(
            &[Role::Trader, Role::Auditor],
            Kind::CrewAttestation
        ));
        // only a registrar revokes by role; everyone else only what it signed itself
        for r in Role::ALL {
            assert_eq!(
                Role::any_allows(&[r], Kind::Revocation),
                r == Role::Registrar,
                "{r}"
            );
        }
    }

    #[test]
    fn custody_roles_are_those_that_sign_custody_kinds() {
        for r in Role::ALL {
            assert_eq!(
                r.is_custody(),
                r.may_sign().iter().any(|k| k.is_custody()),
                "{r}"
            );
        }
        assert!(!Role::Auditor.is_custody());
        assert_eq!("registrar".parse::<Role>().unwrap(), Role::Registrar);
        assert_eq!("listkeeper".parse::<Role>().unwrap(), Role::Listkeeper);
    }
}
