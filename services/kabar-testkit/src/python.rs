//! The Python example consumer (`examples/python/consumer.py`) and its environment: a virtual
//! environment and protoc-generated classes, prepared by `scripts/dev/python-env.sh`.

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

use rdkafka::Message;
use rdkafka::message::OwnedMessage;

use crate::paths::repo_root;

/// The interpreter with the consumer's requirements, and the generated classes' folder.
pub struct PythonEnv {
    pub python: PathBuf,
    pub generated: PathBuf,
}

/// Prepares the environment once per test binary.
pub fn env() -> &'static PythonEnv {
    static ENV: OnceLock<PythonEnv> = OnceLock::new();
    ENV.get_or_init(|| {
        let output = Command::new("bash")
            .arg(repo_root().join("scripts/dev/python-env.sh"))
            .output()
            .expect("cannot run scripts/dev/python-env.sh");
        assert!(
            output.status.success(),
            "scripts/dev/python-env.sh failed:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).unwrap();
        let line = stdout
            .lines()
            .last()
            .expect("python-env.sh printed nothing");
        let (python, generated) = line.split_once(' ').expect("PYTHON GENERATED");
        PythonEnv {
            python: python.into(),
            generated: generated.into(),
        }
    })
}

/// Runs the example consumer with `args`.
pub fn consumer(args: &[&str]) -> Output {
    let env = env();
    Command::new(&env.python)
        .arg(repo_root().join("services/kabar/examples/python/consumer.py"))
        .args(args)
        .env("PYTHONPATH", &env.generated)
        .output()
        .expect("cannot run the Python consumer")
}

/// Asserts that every payload parses with the generated classes: `(payload, is_protobuf)`.
pub fn assert_parse(payloads: &[(Vec<u8>, bool)]) {
    let dir = tempfile::tempdir().unwrap();
    for (index, (payload, protobuf)) in payloads.iter().enumerate() {
        let name = format!("{index:07}.{}", if *protobuf { "pb" } else { "json" });
        std::fs::write(dir.path().join(name), payload).unwrap();
    }
    let output = consumer(&["validate", dir.path().to_str().unwrap()]);
    assert!(
        output.status.success(),
        "Python consumer rejected kabar's output: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["parsed"], payloads.len());
}

/// Asserts that every enriched article among `messages` parses, in its encoding.
pub fn assert_messages_parse(messages: &[OwnedMessage]) {
    let payloads: Vec<(Vec<u8>, bool)> = messages
        .iter()
        .map(|m| {
            let protobuf = crate::kafka::header(m, "content-type").as_deref()
                == Some("application/x-protobuf");
            (m.payload().unwrap_or_default().to_vec(), protobuf)
        })
        .collect();
    assert_parse(&payloads);
}
