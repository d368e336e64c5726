//! EPCIS 2.0 JSON-LD documents (`catchcert import epcis`, `verify --epcis`): parsing, the CBV
//! 2.0 event hash of every event and the import plan against a keyring with one signer.
#![no_main]
use catchcert_supply::{epcis::Document, import, keyring::Keyring};
use libfuzzer_sys::fuzz_target;

const KEYRING: &str = "[signers.vessel]\nkey = \"vessel.key\"\ncert = \"vessel.pem\"\nparties = [\"urn:gdst:example.org:party:seaharvest.1\"]\n";

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = catchcert_supply::dl::to_digital_link(text);
    let Ok(doc) = Document::parse(text) else {
        return;
    };
    let _ = doc.event_hashes();
    let keyring = Keyring::parse(KEYRING).expect("the fixed keyring parses");
    let _ = import::plan(&doc, &keyring);
});
