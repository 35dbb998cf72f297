//! `kabar run` as a child process against the test broker, for the tests that need a process of
//! their own: signals (SIGTERM, SIGSTOP), `kill -9`, what the process logs.

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::http;
use crate::kafka::brokers;
use crate::names::free_port;

/// A running `kabar run` process against the test broker.
pub struct KabarProcess {
    pub child: Child,
    pub http: String,
}

/// How to start kabar: its input topic, group, dead-letter topic, routes and extra variables.
pub struct KabarOptions<'a> {
    pub input_topic: &'a str,
    pub group: &'a str,
    pub dead_letter_topic: &'a str,
    pub routes_file: Option<&'a Path>,
    pub env: Vec<(&'a str, String)>,
}

impl KabarProcess {
    /// Starts `binary` (the test's `env!("CARGO_BIN_EXE_kabar")`) with `options`.
    pub fn start(binary: &str, options: &KabarOptions<'_>) -> Self {
        Self::start_with_brokers(binary, brokers(), options)
    }

    /// Starts `binary` with `options` against the broker at `brokers` (a test's own).
    pub fn start_with_brokers(binary: &str, brokers: &str, options: &KabarOptions<'_>) -> Self {
        let port = free_port();
        let http = format!("127.0.0.1:{port}");
        let mut command = Command::new(binary);
        command
            .args([
                "run",
                "--brokers",
                brokers,
                "--input-topics",
                options.input_topic,
            ])
            .args(["--group-id", options.group, "--http-addr", &http])
            .env("KABAR_KAFKA_DEAD_LETTER_TOPIC", options.dead_letter_topic)
            .env("KABAR_LOG_LEVEL", "warn")
            .stdout(Stdio::null());
        if let Some(routes) = options.routes_file {
            command.arg("--routes").arg(routes);
        }
        for (key, value) in &options.env {
            command.env(key, value);
        }
        let child = command.spawn().expect("cannot start kabar");
        Self { child, http }
    }

    /// The `/metrics` page, once the endpoint answers.
    pub fn metrics(&self) -> String {
        http::metrics(&self.http)
    }

    /// A metric's value (see [`http::metric`]).
    pub fn metric(&self, series: &str) -> f64 {
        http::metric(&self.metrics(), series)
    }

    /// `GET <path>` on kabar's endpoint: status and body (`None` when nothing answers).
    pub fn get(&self, path: &str) -> Option<(u16, String)> {
        http::get(&self.http, path)
    }

    /// `/status` as JSON, once the endpoint answers.
    pub fn status(&self) -> serde_json::Value {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some((200, body)) = self.get("/status") {
                return serde_json::from_str(&body).unwrap();
            }
            assert!(Instant::now() < deadline, "no /status at {}", self.http);
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    /// Sends `signal` to the process.
    pub fn signal(&self, signal: nix::sys::signal::Signal) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, signal).unwrap();
    }

    /// Waits up to `timeout` for the process to exit on its own.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            if Instant::now() >= deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).unwrap());
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "kabar did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for KabarProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
