//! kabar's HTTP endpoints seen from a test: `/metrics`, `/healthz`, `/readyz`.

use std::time::{Duration, Instant};

/// `GET http://<addr><path>`: the status and body, whatever the status; `None` when nothing
/// answers.
pub fn get(addr: &str, path: &str) -> Option<(u16, String)> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(&format!("http://{addr}{path}")).call().ok()?;
    let status = response.status().as_u16();
    let body = response.body_mut().read_to_string().ok()?;
    Some((status, body))
}

/// The `/metrics` page at `addr`, waiting up to 20 s for the endpoint to answer.
pub fn metrics(addr: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match get(addr, "/metrics") {
            Some((200, body)) => return body,
            answer => assert!(
                Instant::now() < deadline,
                "no /metrics at {addr}: {answer:?}"
            ),
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A metric's value in a Prometheus text page, for a label set written as in the exposition,
/// e.g. `kabar_dead_letters_total{code="empty",stage="decode"}`; 0 when absent.
pub fn metric(page: &str, series: &str) -> f64 {
    page.lines()
        .find_map(|line| line.strip_prefix(series)?.trim().parse().ok())
        .unwrap_or(0.0)
}

/// A metric's value on the `/metrics` page at `addr` (see [`metric`]).
pub fn metric_at(addr: &str, series: &str) -> f64 {
    metric(&metrics(addr), series)
}
