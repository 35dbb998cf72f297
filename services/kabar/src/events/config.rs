//! Configuration reloads: asked for, done, refused, and settings that need a restart.

use super::internal_event::InternalEvent;
use super::internal_event::targets::SERVICE;
use crate::metrics::{METRICS, ReloadResult};

/// What asked for a reload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadTrigger {
    /// SIGHUP.
    Signal,
    /// The routes or configuration file changed on disk.
    FileChanged,
}

impl ReloadTrigger {
    pub const fn as_str(self) -> &'static str {
        match self {
            ReloadTrigger::Signal => "SIGHUP",
            ReloadTrigger::FileChanged => "file changed",
        }
    }
}

/// New routes and language settings are in force.
pub struct ConfigReloaded<'a> {
    pub trigger: ReloadTrigger,
    pub routes: usize,
    pub digest: &'a str,
}

impl InternalEvent for ConfigReloaded<'_> {
    fn emit(self) {
        METRICS
            .config_reloads
            .with_label_values(&[ReloadResult::Success.as_str()])
            .inc();
        METRICS.config_last_reload_successful.set(1);
        METRICS
            .routes_loaded
            .set(i64::try_from(self.routes).unwrap_or(i64::MAX));
        tracing::info!(target: SERVICE, trigger = self.trigger.as_str(), routes = self.routes, digest = self.digest, "configuration reloaded");
    }
}

/// A reload was refused: the settings in force stay.
pub struct ConfigReloadFailed<'a> {
    pub trigger: ReloadTrigger,
    pub errors: &'a [String],
}

impl InternalEvent for ConfigReloadFailed<'_> {
    fn emit(self) {
        METRICS
            .config_reloads
            .with_label_values(&[ReloadResult::Failure.as_str()])
            .inc();
        METRICS.config_last_reload_successful.set(0);
        for error in self.errors {
            tracing::error!(target: SERVICE, trigger = self.trigger.as_str(), %error, "configuration reload refused; the settings in force stay");
        }
    }
}

/// The routes in force at start-up.
pub struct RoutesLoaded<'a> {
    pub routes: usize,
    pub digest: &'a str,
}

impl InternalEvent for RoutesLoaded<'_> {
    fn emit(self) {
        METRICS
            .routes_loaded
            .set(i64::try_from(self.routes).unwrap_or(i64::MAX));
        tracing::info!(target: SERVICE, routes = self.routes, digest = self.digest, "routes loaded");
    }
}

/// Settings changed on disk that only a restart puts in force.
pub struct RestartNeeded<'a> {
    pub settings: &'a [String],
}

impl InternalEvent for RestartNeeded<'_> {
    fn emit(self) {
        tracing::warn!(target: SERVICE, settings = ?self.settings, "these settings changed but need a restart; the running values stay");
    }
}

/// The routes or configuration file cannot be watched: reload with SIGHUP.
pub struct WatchFailed<'a> {
    pub error: &'a str,
}

impl InternalEvent for WatchFailed<'_> {
    fn emit(self) {
        tracing::warn!(target: SERVICE, error = self.error, "cannot watch the routes file; send SIGHUP to reload");
    }
}
