//! Stamps the git revision kabar is built from into `KABAR_BUILD_REVISION` (the
//! `kabar_build_info{revision}` label, `/status` and `kabar --version`): `KABAR_REVISION` when
//! set (the Docker build passes it, having no `.git`), else `git rev-parse --short HEAD`, else
//! "unknown".

use std::path::PathBuf;
use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let output = Command::new("git").args(args).output().ok()?;
    if !output.status.success() {
        return None;
    }
    let text = String::from_utf8(output.stdout).ok()?;
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn main() {
    println!("cargo:rerun-if-env-changed=KABAR_REVISION");
    let revision = std::env::var("KABAR_REVISION")
        .ok()
        .map(|r| r.trim().to_owned())
        .filter(|r| !r.is_empty())
        .or_else(|| {
            // Rebuild when HEAD moves: a commit, a checkout (its reflog changes each time).
            for path in ["HEAD", "logs/HEAD"] {
                if let Some(file) = git(&["rev-parse", "--git-path", path]) {
                    let file = PathBuf::from(file);
                    if file.exists() {
                        println!("cargo:rerun-if-changed={}", file.display());
                    }
                }
            }
            git(&["rev-parse", "--short=12", "HEAD"])
        })
        .unwrap_or_else(|| "unknown".to_owned());
    println!("cargo:rustc-env=KABAR_BUILD_REVISION={revision}");
}
