//! A broker of a test's own (not the shared one of [`kafka`](crate::kafka)), for tests that stop
//! and restart it: `deploy/kafka/kafka-local.sh` on free ports, its data kept across a stop, so
//! a restarted broker has the same topics, offsets and groups. Stopped when dropped.

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::path::PathBuf;
use std::process::{Command, Stdio};

use rdkafka::ClientConfig;

use crate::names::free_port;
use crate::paths::repo_root;

/// A single-node KRaft broker on loopback.
pub struct OwnBroker {
    pub port: u16,
    controller: u16,
    data: tempfile::TempDir,
    running: bool,
}

impl OwnBroker {
    /// Starts a broker on free ports, with `extra` broker properties (`name=value` lines).
    pub fn start(extra: &str) -> Self {
        let data = tempfile::tempdir().unwrap();
        std::fs::write(data.path().join("extra.properties"), extra).unwrap();
        let mut broker = Self {
            port: free_port(),
            controller: free_port(),
            data,
            running: false,
        };
        broker.resume();
        broker
    }

    /// `127.0.0.1:<port>`.
    pub fn address(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    /// A client configuration for this broker.
    pub fn client(&self) -> ClientConfig {
        let mut config = ClientConfig::new();
        config.set("bootstrap.servers", self.address());
        config
    }

    fn script(&self, action: &str) -> Command {
        let mut command = Command::new("bash");
        command
            .arg(repo_root().join("deploy/kafka/kafka-local.sh"))
            .arg(action)
            .env("KAFKA_PORT", self.port.to_string())
            .env("KAFKA_CONTROLLER_PORT", self.controller.to_string())
            .env("KAFKA_DATA_DIR", self.data_dir())
            .env(
                "KAFKA_EXTRA_CONFIG",
                self.data.path().join("extra.properties"),
            )
            .stdout(Stdio::null());
        command
    }

    fn data_dir(&self) -> PathBuf {
        self.data.path().join("kafka")
    }

    /// Stops the broker (its data stays).
    pub fn stop(&mut self) {
        let status = self.script("stop").status().unwrap();
        assert!(status.success(), "the broker did not stop");
        self.running = false;
    }

    /// Starts the stopped broker again, on the same ports and data.
    pub fn resume(&mut self) {
        let status = self.script("start").status().unwrap();
        assert!(status.success(), "the broker did not start");
        self.running = true;
    }
}

impl Drop for OwnBroker {
    fn drop(&mut self) {
        if self.running {
            let _ = self.script("stop").status();
        }
    }
}
