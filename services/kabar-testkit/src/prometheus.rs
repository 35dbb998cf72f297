//! Test support for the deployment files: the operator tools they are checked with (promtool,
//! prometheus, check-jsonschema), YAML read as JSON, and a real Prometheus server on loopback
//! with its HTTP API.
//!
//! `scripts/dev/test.sh` installs the tools (Debian's `prometheus` package; `check-jsonschema`, which
//! brings `ruamel.yaml`, from PyPI into `~/.cache/kabar/venv`). A missing tool fails the test
//! with a message saying so: nothing is skipped.

#![allow(clippy::unwrap_used)] // test support: a failure is the test's failure

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// Where `scripts/dev/test.sh` puts the Python tools it installs.
fn tools_venv() -> Option<PathBuf> {
    let home = std::env::var_os("HOME")?;
    Some(PathBuf::from(home).join(".cache/kabar/venv/bin"))
}

/// A tool from `PATH` (or from the tools venv); fails the test when it is not installed.
pub fn tool(name: &str) -> PathBuf {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect())
        .unwrap_or_default();
    dirs.extend(tools_venv());
    dirs.iter()
        .map(|dir| dir.join(name))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "`{name}` is not installed: scripts/dev/test.sh installs it (Debian package \
                 `prometheus` for promtool and prometheus; `pip install check-jsonschema` into \
                 ~/.cache/kabar/venv for check-jsonschema and its Python)"
            )
        })
}

/// Runs a command to completion, capturing its output.
pub fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|error| panic!("cannot run {command:?}: {error}"))
}

/// A YAML file as JSON, read by the `ruamel.yaml` that `check-jsonschema` ships with (the
/// Python interpreter named on its first line), so no YAML crate is needed.
pub fn yaml_to_json(path: &Path) -> Value {
    let launcher = tool("check-jsonschema");
    let text = std::fs::read_to_string(&launcher).unwrap_or_default();
    let python = text
        .lines()
        .next()
        .and_then(|line| line.strip_prefix("#!"))
        .map(|interpreter| interpreter.trim().to_owned())
        .filter(|interpreter| Path::new(interpreter).is_file())
        .unwrap_or_else(|| "python3".to_owned());
    let script = "import json, sys\n\
                  from ruamel.yaml import YAML\n\
                  json.dump(YAML(typ='safe').load(open(sys.argv[1], encoding='utf-8')), sys.stdout)\n";
    let output = run(Command::new(&python).args(["-c", script]).arg(path));
    assert!(
        output.status.success(),
        "cannot read {} as YAML with {python} (ruamel.yaml comes with check-jsonschema): {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// A Prometheus server started by a test, stopped when dropped.
pub struct Prometheus {
    child: Child,
    /// `127.0.0.1:<port>`.
    pub address: String,
    _dir: tempfile::TempDir,
}

impl Prometheus {
    /// Writes `config` (JSON is YAML) and each `(file name, rules)` beside it, and starts
    /// Prometheus on a free port. `config` should name its rule files by those file names.
    pub fn start(address: &str, config: &Value, rules: &[(&str, Value)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        for (name, rule_file) in rules {
            std::fs::write(dir.path().join(name), rule_file.to_string()).unwrap();
        }
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let check = run(Command::new(tool("promtool"))
            .args(["check", "config"])
            .arg(&config_path));
        assert!(
            check.status.success(),
            "the test's copy of prometheus.yml is invalid: {}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let child = Command::new(tool("prometheus"))
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={address}"))
            .stdout(Stdio::null())
            .stderr(log)
            .current_dir(dir.path())
            .spawn()
            .expect("cannot start prometheus");
        let server = Self {
            child,
            address: address.to_owned(),
            _dir: dir,
        };
        server.wait_ready(Duration::from_secs(60));
        server
    }

    fn wait_ready(&self, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            if let Ok(response) = ureq::get(&format!("http://{}/-/ready", self.address)).call() {
                if response.status() == 200 {
                    return;
                }
            }
            assert!(
                Instant::now() < deadline,
                "prometheus did not become ready; its log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// Prometheus's own log, for failure messages.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self._dir.path().join("prometheus.log")).unwrap_or_default()
    }

    /// `GET /api/v1/<path>` with query parameters; the `data` of a successful answer, or the
    /// error Prometheus gave.
    pub fn api(&self, path: &str, params: &[(&str, &str)]) -> Result<Value, String> {
        let mut request = ureq::get(&format!("http://{}/api/v1/{path}", self.address))
            .config()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(30)))
            .build();
        for (key, value) in params {
            request = request.query(*key, *value);
        }
        let mut response = request.call().map_err(|error| error.to_string())?;
        let body = response
            .body_mut()
            .read_to_string()
            .map_err(|error| error.to_string())?;
        let answer: Value =
            serde_json::from_str(&body).map_err(|error| format!("{error}: {body}"))?;
        if answer["status"] == "success" {
            Ok(answer["data"].clone())
        } else {
            Err(format!("{}: {}", answer["errorType"], answer["error"]))
        }
    }

    /// An instant query's result vector (or the error).
    pub fn query(&self, expr: &str) -> Result<Vec<Value>, String> {
        let data = self.api("query", &[("query", expr)])?;
        Ok(data["result"].as_array().cloned().unwrap_or_default())
    }

    /// Alerts currently pending or firing.
    pub fn alerts(&self) -> Vec<Value> {
        self.api("alerts", &[])
            .map(|data| data["alerts"].as_array().cloned().unwrap_or_default())
            .unwrap_or_default()
    }

    /// Waits until the alert `name` is firing; its labels, or a panic naming what was seen.
    pub fn wait_firing(&self, name: &str, timeout: Duration) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            let alerts = self.alerts();
            if let Some(alert) = alerts
                .iter()
                .find(|a| a["labels"]["alertname"] == name && a["state"] == "firing")
            {
                return alert["labels"].clone();
            }
            assert!(
                Instant::now() < deadline,
                "{name} did not fire within {timeout:?}; alerts: {alerts:?}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

/// The project's `deploy/prometheus/prometheus.yml` for a test: every job keeps its name and
/// path; the `kabar` job discovers its targets from `targets_file` (which the test rewrites, as
/// Docker's DNS adds and drops containers), the `prometheus` job scrapes `prometheus`, and the
/// intervals are a second.
pub fn project_config(targets_file: &Path, prometheus: &str) -> Value {
    let mut config =
        yaml_to_json(&crate::paths::repo_root().join("deploy/prometheus/prometheus.yml"));
    config["global"]["scrape_interval"] = serde_json::json!("1s");
    config["global"]["scrape_timeout"] = serde_json::json!("1s");
    config["global"]["evaluation_interval"] = serde_json::json!("1s");
    for job in config["scrape_configs"].as_array_mut().unwrap() {
        let name = job["job_name"].as_str().unwrap().to_owned();
        let job = job.as_object_mut().unwrap();
        job.retain(|key, _| !key.ends_with("_sd_configs") && key != "static_configs");
        match name.as_str() {
            "kabar" => job.insert(
                "file_sd_configs".into(),
                serde_json::json!([{ "files": [targets_file], "refresh_interval": "1s" }]),
            ),
            "prometheus" => job.insert(
                "static_configs".into(),
                serde_json::json!([{ "targets": [prometheus] }]),
            ),
            other => panic!("teach the test about scrape job {other}"),
        };
    }
    config
}

/// The project's alert rule files (as `prometheus.yml` names them), each `for:` shortened to
/// two seconds so that a provoked alert fires within seconds.
pub fn project_rules() -> Vec<(String, Value)> {
    let dir = crate::paths::repo_root().join("deploy/prometheus");
    let config = yaml_to_json(&dir.join("prometheus.yml"));
    config["rule_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|name| {
            let name = name.as_str().unwrap().to_owned();
            let mut rules = yaml_to_json(&dir.join(&name));
            for group in rules["groups"].as_array_mut().unwrap() {
                for rule in group["rules"].as_array_mut().unwrap() {
                    if rule.get("for").is_some() {
                        rule["for"] = serde_json::json!("2s");
                    }
                }
            }
            (name, rules)
        })
        .collect()
}

/// A real Prometheus with the project's configuration and alert rules ([`project_config`],
/// [`project_rules`]), scraping the kabar instances at `targets`.
pub struct ProjectPrometheus {
    pub server: Prometheus,
    targets_file: PathBuf,
    _dir: tempfile::TempDir,
}

impl ProjectPrometheus {
    pub fn start(targets: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let targets_file = dir.path().join("kabar-targets.json");
        let address = format!("127.0.0.1:{}", crate::names::free_port());
        Self::write_targets_to(&targets_file, targets);
        let config = project_config(&targets_file, &address);
        let rules = project_rules();
        let rules: Vec<(&str, Value)> = rules
            .iter()
            .map(|(name, rules)| (name.as_str(), rules.clone()))
            .collect();
        let server = Prometheus::start(&address, &config, &rules);
        Self {
            server,
            targets_file,
            _dir: dir,
        }
    }

    fn write_targets_to(file: &Path, targets: &[&str]) {
        let groups = if targets.is_empty() {
            serde_json::json!([])
        } else {
            serde_json::json!([{ "targets": targets }])
        };
        let temporary = file.with_extension("tmp");
        std::fs::write(&temporary, groups.to_string()).unwrap();
        std::fs::rename(&temporary, file).unwrap();
    }

    /// The kabar instances Prometheus discovers from now on (none: every instance is gone).
    pub fn set_targets(&self, targets: &[&str]) {
        Self::write_targets_to(&self.targets_file, targets);
    }
}

impl std::ops::Deref for ProjectPrometheus {
    type Target = Prometheus;

    fn deref(&self) -> &Prometheus {
        &self.server
    }
}

impl Prometheus {
    /// Waits until no alert `name` is pending or firing.
    pub fn wait_inactive(&self, name: &str, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        loop {
            let alerts = self.alerts();
            if !alerts.iter().any(|a| a["labels"]["alertname"] == name) {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{name} still active after {timeout:?}; alerts: {alerts:?}"
            );
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
