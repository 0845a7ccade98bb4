//! A tenant snapshot is a folder (README "Tenant folder layout"):
//! `policies/`, `namedLocations.json`, `authenticationStrengths.json` (optional),
//! `directory.json` (optional), `crossTenantAccess.json` (optional), `signins/`. Each part
//! but the cross-tenant settings can be replaced by flags.

use std::path::{Path, PathBuf};

/// Where each part of the snapshot comes from.
#[derive(Debug, Clone, Default)]
pub struct TenantPaths {
    /// The tenant folder given on the command line, if any (checked to exist on load).
    pub folder: Option<PathBuf>,
    pub policies: Vec<PathBuf>,
    pub locations: Vec<PathBuf>,
    pub strengths: Vec<PathBuf>,
    pub directory: Vec<PathBuf>,
    /// `tenantSettings.json` (optional; `policy::settings`).
    pub settings: Vec<PathBuf>,
    /// Cross-tenant access settings (inbound trust for external users).
    pub cross_tenant: Vec<PathBuf>,
    pub logs: Vec<PathBuf>,
}

/// Flags given on the command line; a non-empty list replaces the folder's part.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub policies: Vec<PathBuf>,
    pub locations: Vec<PathBuf>,
    pub strengths: Vec<PathBuf>,
    pub directory: Vec<PathBuf>,
    pub logs: Vec<PathBuf>,
    /// `--keep-going`: skip broken policy files (see [`TenantOptions`]).
    pub keep_going: bool,
}

/// The cross-tenant access settings file of a tenant folder.
pub const CROSS_TENANT_FILE: &str = "crossTenantAccess.json";
/// The tenant settings file of a tenant folder (`policy::settings`).
pub const SETTINGS_FILE: &str = "tenantSettings.json";

/// A part of the folder that is there. A dangling symlink counts as there, so the loader
/// names it instead of the run treating the part as absent.
fn existing(p: PathBuf) -> Vec<PathBuf> {
    if p.symlink_metadata().is_ok() {
        vec![p]
    } else {
        vec![]
    }
}

fn pick(flag: &[PathBuf], default: Vec<PathBuf>) -> Vec<PathBuf> {
    if flag.is_empty() {
        default
    } else {
        flag.to_vec()
    }
}

impl TenantPaths {
    /// Resolve the parts of a tenant folder (`dir` may be `None` when every part is given
    /// by flags).
    pub fn resolve(dir: Option<&Path>, o: &Overrides) -> TenantPaths {
        let d = |name: &str| dir.map(|d| existing(d.join(name))).unwrap_or_default();
        TenantPaths {
            folder: dir.map(Path::to_path_buf),
            policies: pick(&o.policies, d("policies")),
            locations: pick(&o.locations, d("namedLocations.json")),
            strengths: pick(&o.strengths, d("authenticationStrengths.json")),
            directory: pick(&o.directory, d("directory.json")),
            settings: d(SETTINGS_FILE),
            cross_tenant: d(CROSS_TENANT_FILE),
            logs: pick(&o.logs, d("signins")),
        }
    }
}

impl Overrides {
    /// The load options these flags ask for.
    pub fn options(&self) -> TenantOptions {
        TenantOptions {
            keep_going: self.keep_going,
        }
    }
}

/// How strictly the configuration inputs are loaded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TenantOptions {
    /// Skip broken policy files (listed in the report, every gate fails) instead of
    /// stopping; problems in the other inputs still stop the run.
    pub keep_going: bool,
}
