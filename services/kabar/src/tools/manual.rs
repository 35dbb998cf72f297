//! `kabar completions SHELL` and `kabar man`: shell completions and manual pages, generated
//! from the command-line definition itself, so they never fall behind it.

use std::io::Write;
use std::path::Path;

use anyhow::Context;
use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::Cli;

/// Writes the completion script for `shell` to `out`.
pub fn completions(shell: Shell, out: &mut impl Write) {
    let mut command = Cli::command();
    clap_complete::generate(shell, &mut command, "kabar", out);
}

/// Writes the `kabar(1)` page (roff) to `out`.
pub fn man_page(out: &mut impl Write) -> anyhow::Result<()> {
    clap_mangen::Man::new(Cli::command())
        .render(out)
        .context("cannot write the manual page")
}

/// Writes `kabar.1` and one page per command (`kabar-tail.1`, ...) into `dir`; returns their
/// names, sorted.
pub fn man_pages(dir: &Path) -> anyhow::Result<Vec<String>> {
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    clap_mangen::generate_to(Cli::command(), dir)
        .with_context(|| format!("cannot write the manual pages into {}", dir.display()))?;
    let mut names: Vec<String> = std::fs::read_dir(dir)?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("kabar") && name.ends_with(".1"))
        .collect();
    names.sort();
    Ok(names)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)] // tests: a failure is the test's failure
mod tests {
    use super::*;

    #[test]
    fn completions_know_every_command_and_flag() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let mut out = Vec::new();
            completions(shell, &mut out);
            let script = String::from_utf8(out).unwrap();
            for word in [
                "tail",
                "replay",
                "produce",
                "until-end",
                "dry-run",
                "isolation",
            ] {
                assert!(script.contains(word), "{shell:?} lacks {word}");
            }
        }
    }

    #[test]
    fn man_pages_cover_every_command() {
        let dir = tempfile::tempdir().unwrap();
        let names = man_pages(dir.path()).unwrap();
        for name in [
            "kabar.1",
            "kabar-run.1",
            "kabar-tail.1",
            "kabar-replay.1",
            "kabar-produce.1",
        ] {
            assert!(names.contains(&name.to_owned()), "{names:?}");
        }
        let tail = std::fs::read_to_string(dir.path().join("kabar-tail.1")).unwrap();
        assert!(tail.starts_with(".ie") || tail.contains(".TH"), "{tail}");
        assert!(tail.contains("until\\-end"), "{tail}");
        let mut page = Vec::new();
        man_page(&mut page).unwrap();
        assert!(String::from_utf8(page).unwrap().contains("kabar\\-tail"));
    }
}
