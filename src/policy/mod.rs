//! Graph JSON side: policies, named locations, strengths, directory snapshot; loading
//! with file/line/JSON-path diagnostics, validation (policy-model.md §15) and lint rules.
pub mod cross_tenant;
pub mod directory;
pub mod finding;
pub mod lint;
pub mod load;
pub mod model;
pub mod settings;
pub mod strengths;
pub mod validate;
pub mod view;

pub use cross_tenant::{CrossTenantAccess, InboundTrust};
pub use directory::Directory;
pub use finding::{Finding, Severity, TenantData};
pub use load::{
    load_cross_tenant, load_directory, load_named_locations, load_policies, load_strengths,
    load_tenant_settings, parse_cross_tenant_str, parse_directory_str, parse_named_locations_str,
    parse_policies_str, parse_strengths_str, FileSummary, LoadedLocation, LoadedPolicy,
    LoadedStrength, LocationLoad, PolicyError, PolicyLoad, Rejection, StrengthLoad,
};
pub use model::*;
pub use settings::{BaselineScopeTarget, TenantSettings};
pub use strengths::builtin_strengths;
