//! `catchcert issue-batch`: 1 000 rows with 3 bad ones. Every row that does not depend on a
//! bad one is signed; the report names the 3 rows and their fields; their dependants are
//! skipped; no progress bar when stdout is not a terminal (plain lines instead).

use serde_json::{Value, json};
mod supply_common;

use supply_common::{ok, programme, run};

fn catch(i: usize) -> Value {
    json!({"id": format!("catch-{i}"), "kind": "catch", "signer": "vessel",
           "time": "2026-03-02T06:00:00Z", "vessel_imo": "IMO9074729", "fao_area": "71", "gear": "LLD",
           "catch_start": "2026-03-01T04:00:00Z", "catch_end": "2026-03-02T05:30:00Z",
           "outputs": [{"lot": format!("SH7-{i}"), "quantity_kg": 100.0, "species": "YFT"}],
           "attestations": []})
}

fn landing(i: usize) -> Value {
    json!({"id": format!("landing-{i}"), "kind": "landing", "signer": "vessel",
           "time": "2026-03-05T08:00:00Z", "port": "THHKT",
           "inputs": [{"certificate": format!("@catch-{i}"), "lot": format!("SH7-{i}"), "quantity_kg": 100.0}],
           "outputs": [{"lot": format!("SH7-{i}"), "quantity_kg": 100.0}],
           "attestations": []})
}

#[test]
fn a_thousand_rows_with_three_bad_ones() {
    let d = programme("");
    let p = d.path();
    // Landings first in the file: dependency order, not file order, decides.
    let mut rows: Vec<Value> = (0..500).map(landing).collect();
    rows.extend((0..500).map(catch));
    // Three bad rows: a catch with a lower-case species, a landing at a port that is not a
    // UN/LOCODE, a catch with an unknown field.
    rows[500 + 10]["outputs"][0]["species"] = json!("yft");
    rows[20]["port"] = json!("XX");
    rows[500 + 30]["colour"] = json!("blue");
    let text: String = rows.iter().map(|r| format!("{r}\n")).collect();
    std::fs::write(p.join("rows.jsonl"), text).unwrap();

    let out = run(
        p,
        &[
            "issue-batch",
            "--keys",
            "keys.toml",
            "--input",
            "rows.jsonl",
            "--out",
            "certs",
            "--report",
            "r.json",
            "--issued-at",
            "2026-03-06T00:00:00Z",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    // Plain lines, no progress bar (no carriage returns or escape codes).
    assert_eq!(stdout.lines().count(), 995, "{stderr}");
    assert!(!stdout.contains('\r') && !stdout.contains('\u{1b}') && !stderr.contains('\u{1b}'));
    assert!(
        stderr.contains("1000 row(s): 995 signed, 3 failed, 2 skipped"),
        "{stderr}"
    );

    let report: Value = serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
    let failed = report["failed"].as_array().unwrap();
    let mut named: Vec<(String, String)> = failed
        .iter()
        .map(|f| {
            (
                f["row"].as_str().unwrap().into(),
                f["field"].as_str().unwrap().into(),
            )
        })
        .collect();
    named.sort();
    assert_eq!(
        named,
        vec![
            ("catch-10".to_string(), "outputs[0].species".to_string()),
            ("catch-30".to_string(), "colour".to_string()),
            ("landing-20".to_string(), "port".to_string()),
        ]
    );
    let mut skipped: Vec<&str> = report["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["row"].as_str().unwrap())
        .collect();
    skipped.sort();
    assert_eq!(skipped, ["landing-10", "landing-30"]);
    assert_eq!(report["signed"].as_array().unwrap().len(), 995);
    // Files: exactly the signed rows, no leftovers from bad rows or temporary files.
    let files: Vec<String> = std::fs::read_dir(p.join("certs"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert_eq!(files.len(), 995);
    assert!(files.iter().all(|f| f.ends_with(".cose")));
    assert!(
        !files.contains(&"catch-10.cose".to_string())
            && !files.contains(&"landing-10.cose".to_string())
    );

    // A landing verifies with its catch (integrity valid).
    let out = run(
        p,
        &[
            "verify",
            "certs",
            "--trust",
            "root.pem",
            "--head",
            report["signed"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["row"] == "landing-5")
                .unwrap()["id"]
                .as_str()
                .unwrap(),
            "--json",
            "--at",
            "2026-03-07T00:00:00Z",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["integrity"], "valid", "{v:#}");
}

#[test]
fn csv_and_directory_inputs() {
    let d = programme("");
    let p = d.path();
    std::fs::write(
        p.join("rows.csv"),
        "id,kind,signer,time,vessel_imo,fao_area,gear,catch_start,catch_end,port,input_certificate,input_lot,input_quantity_kg,output_lot,output_quantity_kg,output_species\n\
         c1,catch,vessel,2026-03-02T06:00:00Z,IMO9074729,71,LLD,2026-03-01T04:00:00Z,2026-03-02T05:30:00Z,,,,,L1,50,YFT\n\
         l1,landing,vessel,2026-03-05T08:00:00Z,,,,,,THHKT,@c1,L1,50,L1,50,\n",
    )
    .unwrap();
    let out = ok(
        p,
        &[
            "issue-batch",
            "--keys",
            "keys.toml",
            "--input",
            "rows.csv",
            "--out",
            "a",
        ],
    );
    assert_eq!(out.lines().count(), 2, "{out}");
    std::fs::create_dir(p.join("rows")).unwrap();
    let mut c = catch(1);
    c.as_object_mut().unwrap().remove("id");
    std::fs::write(p.join("rows/catch-1.json"), c.to_string()).unwrap();
    std::fs::write(p.join("rows/landing-1.json"), landing(1).to_string()).unwrap();
    let out = ok(
        p,
        &[
            "issue-batch",
            "--keys",
            "keys.toml",
            "--input",
            "rows",
            "--out",
            "b",
        ],
    );
    assert!(
        out.contains("catch-1 sha256:") && out.contains("landing-1 sha256:"),
        "{out}"
    );
}

/// A CSV row with several inputs and outputs (numbered column groups): two catches landed
/// together; the landing takes both lots and passes both on, and the chain verifies.
#[test]
fn csv_rows_carry_several_inputs_and_outputs() {
    let d = programme("");
    let p = d.path();
    std::fs::write(
        p.join("rows.csv"),
        "id,kind,signer,time,vessel_imo,fao_area,gear,catch_start,catch_end,port,input_certificate,input_lot,input_quantity_kg,input2_certificate,input2_lot,input2_quantity_kg,output_lot,output_quantity_kg,output_species,output2_lot,output2_quantity_kg\n\
         c1,catch,vessel,2026-03-02T06:00:00Z,IMO9074729,71,LLD,2026-03-01T04:00:00Z,2026-03-02T05:30:00Z,,,,,,,,L1,50,YFT,,\n\
         c2,catch,vessel,2026-03-03T06:00:00Z,IMO9074729,71,LLD,2026-03-02T06:00:00Z,2026-03-03T05:30:00Z,,,,,,,,L2,30,BET,,\n\
         l1,landing,vessel,2026-03-05T08:00:00Z,,,,,,THHKT,@c1,L1,50,@c2,L2,30,L1,50,,L2,30\n",
    )
    .unwrap();
    ok(
        p,
        &[
            "issue-batch",
            "--keys",
            "keys.toml",
            "--input",
            "rows.csv",
            "--out",
            "certs",
            "--report",
            "r.json",
            "--issued-at",
            "2026-03-06T00:00:00Z",
        ],
    );
    let report: Value = serde_json::from_slice(&std::fs::read(p.join("r.json")).unwrap()).unwrap();
    let landing = report["signed"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["row"] == "l1")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = ok(p, &["inspect", "certs/l1.cose", "--json"]);
    let v: Value = serde_json::from_str(&out).unwrap();
    let text = v.to_string();
    assert!(text.contains("\"L2\"") && text.contains("\"L1\""), "{v:#}");
    let out = run(
        p,
        &[
            "verify",
            "certs",
            "--trust",
            "root.pem",
            "--head",
            &landing,
            "--json",
            "--at",
            "2026-03-07T00:00:00Z",
        ],
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["integrity"], "valid", "{v:#}");
    let mut lots: Vec<&str> = v["lots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    lots.sort();
    assert_eq!(lots, ["L1", "L2"], "{v:#}");
}

/// A keyring's private key that group or others may read is refused like every key: the rows
/// it would sign fail naming the file and the fix, and nothing is signed.
#[test]
fn a_readable_keyring_key_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let d = programme("");
    let p = d.path();
    std::fs::set_permissions(p.join("vessel.key"), std::fs::Permissions::from_mode(0o644)).unwrap();
    std::fs::write(p.join("rows.jsonl"), format!("{}\n", catch(0))).unwrap();
    let out = run(
        p,
        &[
            "issue-batch",
            "--keys",
            "keys.toml",
            "--input",
            "rows.jsonl",
            "--out",
            "out",
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        all.contains("vessel.key") && all.contains("chmod 600"),
        "{all}"
    );
    assert!(!all.contains("PRIVATE KEY"), "{all}");
    let signed = std::fs::read_dir(p.join("out"))
        .map(|r| {
            r.filter(|e| {
                e.as_ref()
                    .unwrap()
                    .path()
                    .extension()
                    .is_some_and(|x| x == "cose")
            })
            .count()
        })
        .unwrap_or(0);
    assert_eq!(signed, 0);
}
