//! The pages for people (contract §5), over real HTTP on both backends: `GET /` with its
//! search form, `GET /lots?lot=…` on to the lot's page, `GET /lots/{lot}` the report of
//! the lot's current holder with the verdict of `/v1/lots/{lot}/verification`, and an
//! HTML 404 for an unknown lot.

#[macro_use]
mod common;

use catchcert_model::Timestamp;
use catchcert_model::timestamp::FixedClock;
use catchcert_server::{AppState, Config};
use catchcert_verify::path::TrustAnchors;
use common::certs::{self, Pki};
use common::{Client, Server};
use std::sync::Arc;

backend_suite!(workers = 2;
    lot_pages,
);

mod suite {
    use super::*;

    fn text(a: &catchcert_testkit::http::Answer) -> String {
        String::from_utf8(a.body.clone()).unwrap()
    }

    pub async fn lot_pages(url: &str) {
        let pki = Pki::new();
        // A page says when it was verified, to the second: the server reads one fixed time
        // (now, as the test starts), so that two requests for the same page may be
        // compared whole even when a second boundary falls between them.
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs();
        let clock = FixedClock(Timestamp(i64::try_from(now).unwrap()));
        let store = catchcert_store::Store::open(url).await.unwrap();
        let anchors = TrustAnchors::from_pem(&pki.root_pem).unwrap();
        let s = Server::start_state(AppState::with_clock(
            store,
            anchors,
            Config::default(),
            Arc::new(clock),
        ))
        .await;
        let c = Client::default();

        let index = c.get(&format!("{}/", s.base), None).await;
        assert_eq!(index.status, 200);
        assert!(index.content_type().starts_with("text/html"));
        let page = text(&index);
        assert!(
            page.contains("<form method=\"get\" action=\"/lots\""),
            "{page}"
        );
        assert!(page.contains("name=\"lot\""));

        let catch = certs::catch(&pki.vessel, "C-1", 1000.0);
        let landing = certs::landing(&pki.vessel, certs::id(&catch), "C-1", 1000.0, "L-1", 990.0);
        let ship = certs::shipment(&pki.processor, certs::id(&landing), "L-1", 990.0);
        for b in [&catch, &landing, &ship] {
            c.created(&s.base, b).await;
        }
        let api = c
            .get(&format!("{}/v1/lots/L-1/verification", s.base), None)
            .await
            .json();

        let a = c.get(&format!("{}/lots/L-1", s.base), None).await;
        assert_eq!(a.status, 200);
        assert!(a.content_type().starts_with("text/html"));
        let page = text(&a);
        assert!(page.contains(api["head"].as_str().unwrap()), "no head id");
        let integrity = format!(
            "Integrity: {}",
            api["integrity"].as_str().unwrap().to_uppercase()
        );
        let risk = format!(
            "Labour risk: {}",
            api["risk"].as_str().unwrap().to_uppercase()
        );
        assert!(page.contains(&integrity), "no {integrity}");
        assert!(page.contains(&risk), "no {risk}");
        for f in api["findings"].as_array().unwrap() {
            let m = catchcert_report::escape(f["message"].as_str().unwrap());
            assert!(page.contains(&m), "page lacks finding {m}");
        }
        assert!(page.contains("Supply-chain tracing"));
        assert_eq!(page.matches("<g class=\"node").count(), 3, "three boxes");
        assert!(!page.contains("<script"));

        // The search form leads to the same page.
        let via_form = c.get(&format!("{}/lots?lot=L-1", s.base), None).await;
        assert_eq!(via_form.status, 200, "the redirect is followed");
        assert_eq!(text(&via_form), page);

        // An unknown lot: 404 as a page, naming the lot (escaped).
        let nope = c.get(&format!("{}/lots/%3Cb%3ENOPE", s.base), None).await;
        assert_eq!(nope.status, 404);
        assert!(nope.content_type().starts_with("text/html"));
        let page = text(&nope);
        assert!(page.contains("&lt;b&gt;NOPE"), "{page}");
        assert!(!page.contains("<b>NOPE"));
        // A bad percent-encoding: 400 as a page.
        let bad = c.get(&format!("{}/lots/%zz", s.base), None).await;
        assert_eq!(bad.status, 400);
        assert!(bad.content_type().starts_with("text/html"));

        let doc = c
            .get(&format!("{}/openapi.json", s.base), None)
            .await
            .json();
        for path in ["/", "/lots", "/lots/{lot}"] {
            assert!(doc["paths"].get(path).is_some(), "OpenAPI lacks {path}");
        }
        s.stop().await;
    }
}
