//! Print the pre-hash strings of the events of an EPCIS document (debugging aid).
fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: prehash FILE.jsonld");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    match catchcert_supply::epcis::Document::parse(&text) {
        Ok(doc) => {
            for e in doc.events() {
                println!("{}", catchcert_supply::hash::prehash(e, &doc.namespaces));
            }
        }
        Err(e) => eprintln!("{path}: {e}"),
    }
}
