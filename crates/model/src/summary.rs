//! The one-line text summary of a payload, for reports and `inspect`: the kind's key
//! facts (vessel, area, port, facility, parties) and its output lots.

use crate::payload::{CustodyEvent, Details, Payload, Step};

/// One line describing a certificate for reports.
pub fn summary(p: &Payload) -> String {
    let lots = |p: &Payload| {
        p.outputs()
            .iter()
            .map(|o| {
                let mut s = format!("{} {}", o.lot, o.quantity);
                if let Some(sp) = &o.species {
                    s += &format!(" {sp}");
                }
                if let Some(pr) = &o.product {
                    s += &format!(" {pr:?}");
                }
                s
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    match &p.details() {
        Details::CrewAttestation(a) => format!(
            "crew of {} {} ({}), {}..{}, {} crew, audit {}",
            a.vessel.name,
            a.vessel.imo,
            a.vessel.flag,
            a.valid_from,
            a.valid_until,
            a.crew.len(),
            a.audit.method.as_str()
        ),
        Details::FacilityAttestation(a) => format!(
            "facility {:?}, {}..{}, audit {}",
            a.facility,
            a.valid_from,
            a.valid_until,
            a.audit.method.as_str()
        ),
        Details::Custody(CustodyEvent {
            step: Step::Catch(c),
            ..
        }) => format!(
            "{} in FAO {} with {}, {}..{}: {}",
            c.vessel_imo,
            c.fao_area,
            c.gear,
            c.catch_start,
            c.catch_end,
            lots(p)
        ),
        Details::Custody(CustodyEvent {
            step: Step::Transshipment(t),
            ..
        }) => format!(
            "{} -> {} {} in FAO {}: {}",
            t.from_vessel_imo,
            t.to_vessel_imo,
            if t.at_sea { "at sea" } else { "in port" },
            t.fao_area,
            lots(p)
        ),
        Details::Custody(CustodyEvent {
            step: Step::Landing { port },
            ..
        }) => format!("at {port}: {}", lots(p)),
        Details::Custody(CustodyEvent {
            step: Step::Processing { facility },
            ..
        }) => format!("at {facility:?}: {}", lots(p)),
        Details::Custody(CustodyEvent {
            step: Step::Shipment(x) | Step::Receipt(x),
            ..
        }) => {
            format!("{:?} -> {:?}: {}", x.from, x.to, lots(p))
        }
        Details::Revocation(r) => format!("revokes {}: {:?}", r.certificate, r.reason),
        Details::Watchlist(w) => format!(
            "watch list {:?} from {:?}: {} entries",
            w.name,
            w.source,
            w.entries.len()
        ),
    }
}
