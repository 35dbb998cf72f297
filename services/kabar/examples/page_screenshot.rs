//! Captures kabar's live page as a PNG with headless Chromium (Debian's `chromium`), after
//! watching it for a while so that its throughput chart has a history:
//!
//! ```sh
//! cargo run -p kabar --example page_screenshot -- http://127.0.0.1:9898/ docs/page.png 60
//! ```
//!
//! `scripts/dev/page-screenshot.sh` runs it against a kabar it starts and feeds.

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use headless_chrome::protocol::cdp::Page::CaptureScreenshotFormatOption;
use headless_chrome::{Browser, LaunchOptions};

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(url), Some(out)) = (args.next(), args.next()) else {
        anyhow::bail!("usage: page_screenshot URL OUTPUT.png [SECONDS] [WIDTHxHEIGHT]");
    };
    let seconds: u64 = args.next().map_or(Ok(30), |s| s.parse())?;
    let (width, height) = args
        .next()
        .as_deref()
        .unwrap_or("1280x1330")
        .split_once('x')
        .map(|(w, h)| (w.parse(), h.parse()))
        .context("size as WIDTHxHEIGHT")?;
    let options = LaunchOptions::default_builder()
        .path(Some(PathBuf::from("/usr/bin/chromium")))
        .headless(true)
        .sandbox(false)
        .window_size(Some((width?, height?)))
        .idle_browser_timeout(Duration::from_secs(seconds + 60))
        .args(vec![OsStr::new("--disable-component-update")])
        .build()
        .context("launch options")?;
    let browser = Browser::new(options).context("cannot start chromium")?;
    let tab = browser.new_tab()?;
    tab.navigate_to(&url)?.wait_until_navigated()?;
    eprintln!("watching {url} for {seconds} s");
    std::thread::sleep(Duration::from_secs(seconds));
    let png = tab.capture_screenshot(CaptureScreenshotFormatOption::Png, None, None, true)?;
    std::fs::write(&out, png).with_context(|| format!("cannot write {out}"))?;
    eprintln!("wrote {out}");
    Ok(())
}
